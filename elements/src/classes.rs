//! The Rust type of every element class that has packet code, under its
//! Click class name: what generated pipelines name (`nfc_elements::classes::Counter`)
//! and what the generic runner builds ([`build`]).
//!
//! Device elements (FromDevice, ToDevice, FromDump, ToDump) are not here:
//! each platform provides them on its own devices. Neither are the classes
//! with no packet code: the driver scripts ([`DRIVERS`], built by
//! [`build_driver`]) and the classes that only inform configuration
//! ([`CONFIG_ONLY`]).

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::RefCell;
use nfc_dataplane::args::ConfigErrors;
use nfc_dataplane::element::Element;
use nfc_dataplane::files::ConfigFiles;
use nfc_dataplane::pipeline::Driver;

use crate::ip::ip_classifier_program::Program;
use crate::standard::driver_manager::DriverManager;
use crate::standard::script::Script;

/// Classes that drive the configuration: the poll loop runs them as
/// [`Driver`]s; they take no packets.
pub const DRIVERS: &[&str] = &["Script", "DriverManager"];

/// Classes with no run-time part: they only inform configuration.
pub const CONFIG_ONLY: &[&str] = &["AddressInfo", "ScheduleInfo"];

/// Classes whose elements pull from their own inputs when those are pull
/// ([`Element::pull_inputs`]: schedulers, PullSwitch, PullNull, Bypass on
/// a pull path). The generic runner pulls through them (`nfc click`,
/// `--plat linux`); generated pipelines have no such calls yet, so the
/// code generator refuses a configuration where one of these has a pull
/// input, naming the elements.
pub const GENERIC_ONLY: &[&str] = &[
    "BandwidthShaper",
    "Bypass",
    "DelayShaper",
    "PrioSched",
    "PullNull",
    "PullSwitch",
    "RoundRobinSched",
    "Shaper",
    "SimplePullSwitch",
    "StrideSched",
    "TimeSortedSched",
];

/// Classes whose elements name other elements, or are named by them
/// (`Element::shared`, `Element::link`): a runner links these once all
/// are built ([`nfc_dataplane::element::link_all`]); the others need not
/// take part.
pub const LINKED: &[&str] = &[
    "IPRewriter",
    "TCPRewriter",
    "UDPRewriter",
    "ICMPPingRewriter",
    "IPAddrRewriter",
    "IPAddrPairRewriter",
    "ICMPRewriter",
    "IPRewriterPatterns",
    "RoundRobinIPMapper",
    "TCPIPHost",
];

/// Builds the driver script of class `class` (one of [`DRIVERS`]) named
/// `name` from `config`; `None` for any other class. Its handlers answer
/// through the poll loop ([`nfc_dataplane::pipeline::Scripted`]); a
/// configuration that also puts scripts in the packet path uses
/// [`build_script`].
pub fn build_driver(
    class: &str,
    name: &str,
    config: &str,
) -> Option<Result<Box<dyn Driver>, ConfigErrors>> {
    Some(match class {
        "Script" => Script::configure(config).map(|s| Box::new(s.named(name)) as Box<dyn Driver>),
        "DriverManager" => {
            DriverManager::configure(config).map(|d| Box::new(d.named(name)) as Box<dyn Driver>)
        }
        _ => return None,
    })
}

/// Builds a script of class `class` (one of [`DRIVERS`]) named `name`
/// from `config` as its two halves sharing one state ([`Script::split`]):
/// the element for the router (packet scripts, exported variables) and
/// the driver for the poll loop. `None` for any other class.
#[allow(clippy::type_complexity)]
pub fn build_script(
    class: &str,
    name: &str,
    config: &str,
) -> Option<Result<(Box<dyn Element>, Box<dyn Driver>), ConfigErrors>> {
    let script = match class {
        "Script" => Script::configure(config),
        "DriverManager" => DriverManager::configure(config).map(|d| d.script),
        _ => return None,
    };
    Some(script.map(|s| {
        let (element, driver) = s.named(name).split();
        (
            Box::new(element) as Box<dyn Element>,
            Box::new(driver) as Box<dyn Driver>,
        )
    }))
}

/// The classification program of an element of class `class` configured
/// with `config`, for the classes whose program a generated pipeline
/// compiles to Rust ([`Program::to_rust`]; they take the compiled code as
/// a type parameter); `None` for other classes and bad configurations.
pub fn classification_program(class: &str, config: &str) -> Option<Program> {
    match class {
        "IPFilter" => IPFilter::configure(config)
            .ok()
            .map(|f| f.program().clone()),
        "IPClassifier" => IPClassifier::configure(config)
            .ok()
            .map(|c| c.program().clone()),
        _ => None,
    }
}

/// A file an element's configuration read: its name as the configuration
/// writes it, and its contents or why it could not be read.
pub type FileRead = (String, Result<Vec<u8>, String>);

/// An element of one of [`FILE_CLASSES`] built with its files, and the
/// files its configuration read.
pub struct WithFiles {
    /// The element, or why its configuration failed (a file that could
    /// not be read, a bad zone).
    pub element: Result<Box<dyn Element>, ConfigErrors>,
    /// Every file the configuration read, in order, as the configuration
    /// names it, with its contents or why it could not be read: what
    /// `nfc compile` embeds, and what `nfc check` shows errors in.
    pub read: Vec<FileRead>,
}

/// [`ConfigFiles`] that remembers what was read through it.
struct Recording<'a> {
    files: &'a dyn ConfigFiles,
    read: RefCell<Vec<FileRead>>,
}

impl ConfigFiles for Recording<'_> {
    fn read(&self, name: &str) -> Result<Vec<u8>, String> {
        let got = self.files.read(name);
        let mut read = self.read.borrow_mut();
        if !read.iter().any(|(n, _)| n == name) {
            read.push((name.to_string(), got.clone()));
        }
        got
    }
}

macro_rules! file_classes {
    ($($class:ident),* $(,)?) => {
        /// Classes whose configurations name files (zones, certificates):
        /// their elements are built with [`build_with_files`], from disk
        /// on linux and in `nfc check`, from the image in generated code
        /// ([`nfc_dataplane::files::Embedded`]). Their `configure` alone
        /// checks the keywords only.
        pub const FILE_CLASSES: &[&str] = &[$(stringify!($class)),*];

        /// Builds an element of class `class` (one of [`FILE_CLASSES`])
        /// from `config`, reading the files it names from `files`; `None`
        /// for any other class. The files it names are the files it read:
        /// the element is the one authority on its configuration.
        pub fn build_with_files(
            class: &str,
            config: &str,
            files: &dyn ConfigFiles,
        ) -> Option<WithFiles> {
            let recording = Recording {
                files,
                read: RefCell::new(Vec::new()),
            };
            let element = match class {
                $(stringify!($class) => $class::configure_with_files(config, &recording)
                    .map(|e| Box::new(e) as Box<dyn Element>),)*
                _ => return None,
            };
            Some(WithFiles {
                element,
                read: recording.read.into_inner(),
            })
        }
    };
}

file_classes! {
    DNSServer,
}

macro_rules! classes {
    ($($class:ident => $($path:ident)::+),* $(,)?) => {
        $(
            #[doc = concat!("Click's `", stringify!($class), "`.")]
            pub use crate::$($path)::+ as $class;
        )*

        /// Every class listed here, in order.
        pub const CLASSES: &[&str] = &[$(stringify!($class)),*];

        /// Builds an element of class `class` from `config`, boxed for the
        /// generic runner; `None` when the class has no packet code here.
        pub fn build(class: &str, config: &str) -> Option<Result<Box<dyn Element>, ConfigErrors>> {
            match class {
                $(stringify!($class) => Some(
                    $class::configure(config).map(|e| Box::new(e) as Box<dyn Element>)
                ),)*
                _ => None,
            }
        }
    };
}

classes! {
    ARPPrint => ethernet::arp_print::ARPPrint,
    ARPQuerier => ethernet::arp_querier::ARPQuerier,
    ARPResponder => ethernet::arp_responder::ARPResponder,
    Align => standard::align::Align,
    AverageCounter => standard::average_counter::AverageCounter,
    BandwidthRatedSplitter => standard::bandwidth_rated_splitter::BandwidthRatedSplitter,
    BandwidthRatedUnqueue => standard::bandwidth_rated_unqueue::BandwidthRatedUnqueue,
    BandwidthShaper => standard::bandwidth_shaper::BandwidthShaper,
    Bypass => standard::bypass::Bypass,
    CheckICMPHeader => icmp::check_icmp_header::CheckICMPHeader,
    CheckIPHeader => ip::check_ip_header::CheckIPHeader,
    CheckIPHeader2 => ip::check_ip_header2::CheckIPHeader2,
    CheckLength => ip::check_length::CheckLength,
    CheckPaint => standard::check_paint::CheckPaint,
    CheckTCPHeader => tcpudp::check_tcp_header::CheckTCPHeader,
    CheckUDPHeader => tcpudp::check_udp_header::CheckUDPHeader,
    Classifier => standard::classifier::Classifier,
    Clipboard => standard::clipboard::Clipboard,
    Counter => standard::counter::Counter,
    DNSServer => dns::dns_server::DNSServer,
    DecIPTTL => ip::dec_ip_ttl::DecIPTTL,
    DelayShaper => standard::delay_shaper::DelayShaper,
    DirectIPLookup => ip::direct_ip_lookup::DirectIPLookup,
    Discard => standard::discard::Discard,
    DropBroadcasts => standard::drop_broadcasts::DropBroadcasts,
    EtherEncap => ethernet::ether_encap::EtherEncap,
    EtherMirror => ethernet::ether_mirror::EtherMirror,
    EtherRewrite => ethernet::ether_rewrite::EtherRewrite,
    FixIPSrc => ip::fix_ip_src::FixIPSrc,
    FrontDropQueue => standard::front_drop_queue::FrontDropQueue,
    FullNoteQueue => standard::full_note_queue::FullNoteQueue,
    GetIPAddress => ip::get_ip_address::GetIPAddress,
    HashSwitch => standard::hash_switch::HashSwitch,
    HostEtherFilter => ethernet::host_ether_filter::HostEtherFilter,
    Hub => standard::hub::Hub,
    ICMPError => icmp::icmp_error::ICMPError,
    ICMPPingResponder => icmp::icmp_ping_responder::ICMPPingResponder,
    ICMPPingRewriter => icmp::icmp_ping_rewriter::ICMPPingRewriter,
    ICMPRewriter => icmp::icmp_rewriter::ICMPRewriter,
    IPAddrPairRewriter => ip::ip_addr_pair_rewriter::IPAddrPairRewriter,
    IPAddrRewriter => ip::ip_addr_rewriter::IPAddrRewriter,
    IPClassifier => ip::ip_classifier::IPClassifier,
    IPEncap => ip::ip_encap::IPEncap,
    IPFilter => ip::ip_filter::IPFilter,
    IPFlowTable => ip::ip_flow_table::IPFlowTable,
    IPFragmenter => ip::ip_fragmenter::IPFragmenter,
    IPGWOptions => ip::ip_gw_options::IPGWOptions,
    IPPrint => ip::ip_print::IPPrint,
    IPReassembler => ip::ip_reassembler::IPReassembler,
    IPRewriter => tcpudp::ip_rewriter::IPRewriter,
    IPRewriterPatterns => tcpudp::ip_rewriter_patterns::IPRewriterPatterns,
    Idle => standard::idle::Idle,
    InfiniteSource => standard::infinite_source::InfiniteSource,
    InputSwitch => standard::input_switch::InputSwitch,
    LinearIPLookup => ip::linear_ip_lookup::LinearIPLookup,
    LinkUnqueue => standard::link_unqueue::LinkUnqueue,
    LookupIPRoute => ip::lookup_ip_route::LookupIPRoute,
    MarkIPCE => ip::mark_ip_ce::MarkIPCE,
    MarkIPHeader => ip::mark_ip_header::MarkIPHeader,
    MarkMACHeader => standard::mark_mac_header::MarkMACHeader,
    Meter => standard::meter::Meter,
    MixedQueue => standard::mixed_queue::MixedQueue,
    NotifierQueue => standard::notifier_queue::NotifierQueue,
    Null => standard::null::Null,
    Pad => standard::pad::Pad,
    Paint => standard::paint::Paint,
    PaintSwitch => standard::paint_switch::PaintSwitch,
    PaintTee => standard::paint_tee::PaintTee,
    Print => standard::print::Print,
    PrioSched => standard::prio_sched::PrioSched,
    PullNull => standard::pull_null::PullNull,
    PullSwitch => standard::pull_switch::PullSwitch,
    PushNull => standard::push_null::PushNull,
    Queue => standard::queue::Queue,
    RadixIPLookup => ip::radix_ip_lookup::RadixIPLookup,
    RandomSample => standard::random_sample::RandomSample,
    RatedSource => standard::rated_source::RatedSource,
    RatedSplitter => standard::rated_splitter::RatedSplitter,
    RatedUnqueue => standard::rated_unqueue::RatedUnqueue,
    Resize => standard::resize::Resize,
    RoundRobinIPMapper => tcpudp::round_robin_ip_mapper::RoundRobinIPMapper,
    RoundRobinSched => standard::round_robin_sched::RoundRobinSched,
    RoundRobinSwitch => standard::round_robin_switch::RoundRobinSwitch,
    SetIPAddress => ip::set_ip_address::SetIPAddress,
    SetIPChecksum => ip::set_ip_checksum::SetIPChecksum,
    SetTCPChecksum => tcpudp::set_tcp_checksum::SetTCPChecksum,
    SetTimestamp => standard::set_timestamp::SetTimestamp,
    SetTimestampDelta => standard::set_timestamp_delta::SetTimestampDelta,
    SetUDPChecksum => tcpudp::set_udp_checksum::SetUDPChecksum,
    SetVLANAnno => ethernet::set_vlan_anno::SetVLANAnno,
    Shaper => standard::shaper::Shaper,
    SimplePullSwitch => standard::simple_pull_switch::SimplePullSwitch,
    SimpleQueue => standard::simple_queue::SimpleQueue,
    StaticIPLookup => ip::static_ip_lookup::StaticIPLookup,
    StaticSwitch => standard::static_switch::StaticSwitch,
    StoreIPAddress => ip::store_ip_address::StoreIPAddress,
    StrideSched => standard::stride_sched::StrideSched,
    Strip => standard::strip::Strip,
    StripIPHeader => ip::strip_ip_header::StripIPHeader,
    StripToNetworkHeader => standard::strip_to_network_header::StripToNetworkHeader,
    Switch => standard::switch::Switch,
    TCPIPHost => host::tcpip_host::TCPIPHost,
    TCPRewriter => tcpudp::tcp_rewriter::TCPRewriter,
    Tee => standard::tee::Tee,
    TimedSink => standard::timed_sink::TimedSink,
    TimeSortedSched => standard::time_sorted_sched::TimeSortedSched,
    TimedSource => standard::timed_source::TimedSource,
    Truncate => standard::truncate::Truncate,
    UDPIPEncap => tcpudp::udp_ip_encap::UDPIPEncap,
    UDPRewriter => tcpudp::udp_rewriter::UDPRewriter,
    Unqueue => standard::unqueue::Unqueue,
    Unstrip => standard::unstrip::Unstrip,
    UnstripIPHeader => ip::unstrip_ip_header::UnstripIPHeader,
    VLANDecap => ethernet::vlan_decap::VLANDecap,
    VLANEncap => ethernet::vlan_encap::VLANEncap,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_class_is_in_the_registry_and_builds() {
        for class in CLASSES {
            let spec = crate::lookup(class).unwrap_or_else(|| panic!("{class} has no spec"));
            assert_eq!(spec.class, *class);
        }
        assert!(build("Counter", "").unwrap().is_ok());
        assert!(build("Counter", "BOGUS 1").unwrap().is_err());
        assert!(build("NoSuchClass", "").is_none());
    }

    #[test]
    fn generic_only_classes_have_packet_code() {
        for class in GENERIC_ONLY {
            assert!(CLASSES.contains(class), "{class} is built by the runner");
        }
    }

    #[test]
    fn drivers_and_config_only_classes_have_specs_and_no_packet_code() {
        for class in DRIVERS.iter().chain(CONFIG_ONLY) {
            assert!(crate::lookup(class).is_some(), "{class} has a spec");
            assert!(build(class, "").is_none(), "{class} has no packet code");
        }
        for class in DRIVERS {
            assert!(build_driver(class, "d", "").unwrap().is_ok(), "{class}");
        }
        let manager = build_driver("DriverManager", "dm", "").unwrap().unwrap();
        assert!(manager.is_driver());
        assert!(build_driver("Script", "s", "nonsense 1").unwrap().is_err());
        assert!(build_driver("Counter", "c", "").is_none());
        let (_, driver) = build_script("DriverManager", "dm", "").unwrap().unwrap();
        assert!(driver.is_driver());
        assert_eq!(driver.name(), "dm");
        assert!(build_script("Script", "s", "nonsense 1").unwrap().is_err());
        assert!(build_script("Counter", "c", "").is_none());
    }
}
