// Every scenario drives whole agent processes and a broker on a 2-core box: running two at once would
// only make each slower and its timing less telling, so the scenarios run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
