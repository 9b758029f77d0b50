// A compound may take the name of an existing class; inside its body the old `Queue` is meant
// (classes are not recursive, click.5). Outside, `Queue` now means the compound.
elementclass Queue {
  input -> Queue(10) -> Counter -> output;
}
FromDevice(eth0) -> Queue -> ToDevice(eth0);
