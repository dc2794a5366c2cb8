using EdgeAgent.Ingest;

namespace EdgeAgent.Core.Tests.Ingest;

/// <summary>Inputs the <c>naming</c> fuzz target (<see cref="PairNamingFuzzTests"/>) found, kept as they were found.</summary>
public sealed class PairNamingFuzzRegressionTests
{
    [Fact]
    public void Probe_KeyWithNulInItsPath_UnknownNotArgumentException()
    {
        // FileInfo threw "Null character in path" out of Probe, and with it out of the journal's retention pass.
        Assert.Equal(PairImagePresence.Unknown, PairKey.Probe("/tmp/a\0b_image.png@638700000000000000"));
    }
}
