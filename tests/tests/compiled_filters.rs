//! IPFilter programs compiled to Rust, as generated pipelines run them,
//! agree with the interpreter (which `filter_oracle.rs` holds to libpcap):
//! more than 400 configurations (every hand-written pattern, random ones,
//! ten-rule filters with mixed actions), compiled by the build script with
//! [`Program::to_rust`], on the oracle's 2,400 generated packets, each
//! with and without an Ethernet header. Packets whose headers are too short
//! for the compiled code fall back to the interpreter; enough take the
//! compiled path to mean something.
//!
//! [`Program::to_rust`]: nfc_elements::ip::ip_classifier_program::Program::to_rust

use nfc_elements::ip::ip_classifier_eval::Headers;
use nfc_elements::ip::ip_classifier_program::{Compiled, Interpreted};
use nfc_elements::ip::ip_filter::IPFilter;
use nfc_tests::filter_gen::{ether_header, packet, Rng};

mod compiled {
    #![allow(clippy::all, unused_variables)]
    use super::{Compiled, Headers};
    include!(concat!(env!("OUT_DIR"), "/compiled_filters.rs"));
}

#[test]
fn compiled_programs_agree_with_the_interpreter() {
    let mut r = Rng(0x6E66_635F_6F72_6163);
    let packets: Vec<Vec<u8>> = (0..2_400).map(|_| packet(&mut r).ip).collect();
    let ethers: Vec<Vec<u8>> = (0..packets.len()).map(|_| ether_header(&mut r)).collect();
    assert!(
        compiled::COMPILED.len() >= 400,
        "{}",
        compiled::COMPILED.len()
    );

    let (mut compared, mut compiled_path, mut mismatches) = (0usize, 0usize, Vec::new());
    for &(config, listing, run) in compiled::COMPILED {
        let filter = IPFilter::configure(config).expect("the build script configured it");
        assert_eq!(
            filter.program().to_string(),
            listing,
            "IPFilter({config}): the build script compiled another program"
        );
        for (ip, ether) in packets.iter().zip(&ethers) {
            for ether in [&[][..], ether] {
                let h = Headers::new(ether, ip);
                let want = filter.program().run_with::<Interpreted>(&h);
                let got = match run(&h) {
                    Some(verdict) => {
                        compiled_path += 1;
                        verdict
                    }
                    None => filter.program().run(&h),
                };
                compared += 1;
                if got != want && mismatches.len() < 20 {
                    mismatches.push(format!(
                        "IPFilter({config})\n  ether {ether:02x?} ip {ip:02x?}\n  compiled {got:?}, interpreter {want:?}"
                    ));
                }
            }
        }
    }
    println!(
        "compiled filters: {} configurations, {compared} verdicts, {compiled_path} from compiled code",
        compiled::COMPILED.len()
    );
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert!(
        compiled_path * 10 > compared * 7,
        "only {compiled_path} of {compared} verdicts came from compiled code"
    );
}

/// An element takes compiled code only for its own program.
#[test]
fn an_element_refuses_code_compiled_from_another_program() {
    let [(config, _, _), (other, _, _), ..] = compiled::COMPILED else {
        panic!("nothing compiled");
    };
    let filter = IPFilter::configure(config).unwrap();
    assert!(filter.clone().compiled::<compiled::P0>().is_ok());
    let err = filter.compiled::<compiled::P1>().unwrap_err();
    assert!(
        err.to_string().contains("another classification program"),
        "{err}"
    );
    assert!(IPFilter::configure(other)
        .unwrap()
        .compiled::<compiled::P1>()
        .is_ok());
    assert_eq!(<Interpreted as Compiled>::PROGRAM, "");
}
