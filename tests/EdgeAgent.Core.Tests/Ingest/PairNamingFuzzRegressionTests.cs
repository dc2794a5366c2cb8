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

    [Fact]
    public void Trace_PatternThatBacktracksOnALongId_NoFieldsNotRegexMatchTimeoutException()
    {
        // A configured pattern with nested quantifiers and a 3,000-character id that does not end as it wants.
        var id = "$VHBS'+p/&Kb2o(kw9X|![En%Dkm=' Yp#YHLi1:" + new string('d', 3100);

        Assert.Empty(new TracePattern(@"^(?<lot>(.+)+)_$").Read(id));
    }
}
