using EdgeAgent.Messaging.Models;
using EdgeAgent.Models.Packages;
using EdgeAgent.Models.Transfer;
using EdgeAgent.Testing;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Models.Tests.Transfer;

/// <summary>The clock window and the nonce file of signed commands, on a real folder with a fake clock.</summary>
public sealed class CommandAuthenticatorTests : IDisposable
{
    private const string Root = "edgeagent/t/a/l/push/edgeagent/v1";
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(10);
    private readonly TempFolder _temp = new("edgeagent-commands-");
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-12-07T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly SigningKey _technician = SigningKey.Generate();

    [Fact]
    public void Check_IssuedJustInsideTheWindowEitherWay_Accepted()
    {
        var box = Box();

        Assert.True(box.Check(Signed(-Window), SignedCommand.Rollback, "m", null).Accepted);
        Assert.True(box.Check(Signed(Window), SignedCommand.Rollback, "m", null).Accepted);
    }

    [Fact]
    public void Check_IssuedInTheFutureBeyondTheWindow_RefusedStaleAndTheNonceNotUsedUp()
    {
        var future = Signed(Window + TimeSpan.FromSeconds(1));

        var refused = Box().Check(future, SignedCommand.Rollback, "m", null);
        _clock.Advance(TimeSpan.FromSeconds(2));
        var later = Box().Check(future, SignedCommand.Rollback, "m", null);

        Assert.Equal(CommandReasons.Stale, refused.Reason);
        Assert.True(later.Accepted);
    }

    [Fact]
    public void Check_SignedForAnotherModel_RefusedBadSignature() =>
        Assert.Equal(CommandReasons.BadSignature, Box().Check(Signed(TimeSpan.Zero, subject: "other"), SignedCommand.Rollback, "m", null).Reason);

    [Fact]
    public void Check_SameNonceAfterReopeningUntilTheWindowEnds_RefusedReplayedThenStale()
    {
        var command = Signed(TimeSpan.Zero);
        Assert.True(Box().Check(command, SignedCommand.Rollback, "m", null).Accepted);

        _clock.Advance(Window);
        var replayed = Box().Check(command, SignedCommand.Rollback, "m", null);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var nonces = new SeenNonces(_temp.Path, Window, _clock);
        var stale = Box().Check(command, SignedCommand.Rollback, "m", null);

        Assert.Equal(CommandReasons.Replayed, replayed.Reason);
        // Past the window the timestamp refuses it, so the file forgets the nonce.
        Assert.Equal(0, nonces.Count);
        Assert.Equal(CommandReasons.Stale, stale.Reason);
    }

    [Fact]
    public void SeenNonces_LineCutShortByAPowerCut_SkippedAndTheOthersKept()
    {
        var nonces = new SeenNonces(_temp.Path, Window, _clock);
        Assert.True(nonces.TryAdd("0123456789abcdef", _clock.GetUtcNow()));
        File.AppendAllText(Path.Combine(_temp.Path, SeenNonces.FileName), "17652");

        var reopened = new SeenNonces(_temp.Path, Window, _clock);

        Assert.Equal(1, reopened.Count);
        Assert.False(reopened.TryAdd("0123456789abcdef", _clock.GetUtcNow()));
    }

    public void Dispose()
    {
        _technician.Dispose();
        _temp.Dispose();
    }

    // A fresh box each time: the nonces come back from the file, as after a restart.
    private CommandAuthenticator Box() =>
        new(new TrustList([TrustedKey.FromPem(_technician.PublicKeyPem, "t.pub")]), new SeenNonces(_temp.Path, Window, _clock), Root);

    private CommandSignature Signed(TimeSpan fromNow, string subject = "m")
    {
        var at = new FakeTimeProvider(_clock.GetUtcNow() + fromNow);
        return SignedCommand.Sign(_technician, Root, SignedCommand.Rollback, subject, null, at);
    }
}
