using System.Text.Json;
using EdgeAgent.Dashboard.Users;
using EdgeAgent.Testing;

namespace EdgeAgent.Tests.Cli;

/// <summary><c>edgeagent users</c> as a real process on a real <c>users.json</c>.</summary>
[Trait("Category", "Integration")]
public sealed class UsersVerbTests : IDisposable
{
    private const string Password = "correct horse battery";
    private readonly TempFolder _temp = new("edgeagent-users-");

    private string Data => _temp.Sub("data");

    private string UsersJson => Path.Combine(Data, UsersFile.DefaultName);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Users_AddListTokenPasswdRemove_RoundTripOnARealFile()
    {
        var (code, stdout, stderr) = Run("add", "alice", "--role", "operator", "--password-file", PasswordFile(Password));
        Assert.True(code == 0, stderr);
        Assert.Contains("added alice (operator)", stdout, StringComparison.Ordinal);
        Assert.Equal(0, Run("add", "tom", "--role", "Technician", "--password-file", PasswordFile(Password)).ExitCode);

        var token = Run("token", "alice").Stdout.Trim();
        Assert.StartsWith(PersonalTokens.Prefix, token, StringComparison.Ordinal);
        var list = Run("list").Stdout;
        Assert.Matches(@"(?m)^alice\s+operator\s+yes\s", list);
        Assert.Matches(@"(?m)^tom\s+technician\s+no\s", list);

        var stored = File.ReadAllText(UsersJson);
        Assert.DoesNotContain(Password, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(token, stored, StringComparison.Ordinal);
        Assert.Contains(PersonalTokens.Hash(token), stored, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(UsersJson));
        }

        var alice = Single("alice");
        Assert.NotEqual(Password, alice.PasswordHash);
        Assert.True(Passwords.Verify(alice.PasswordHash, Password));

        Assert.Equal(0, Run("passwd", "alice", "--password-file", PasswordFile("another long password")).ExitCode);
        var changed = Single("alice");
        Assert.True(Passwords.Verify(changed.PasswordHash, "another long password"));
        Assert.False(Passwords.Verify(changed.PasswordHash, Password));
        Assert.NotEqual(alice.Stamp, changed.Stamp);

        Assert.Equal(0, Run("remove", "alice").ExitCode);
        Assert.DoesNotContain("alice", Run("list").Stdout, StringComparison.Ordinal);
        Assert.Contains("tom", Run("list").Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bob\nroot")]
    [InlineData("bob\tx")]
    [InlineData("esc\u001b[31m")]
    [InlineData("rtl\u202Eevil")]
    public void Add_NameWithControlCharacters_RefusedWithNothingWritten(string name)
    {
        var (code, _, stderr) = Run("add", name, "--role", "operator", "--password-file", PasswordFile(Password));

        Assert.Equal(64, code);
        Assert.Contains("the user name contains control characters", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(UsersJson));
    }

    [Theory]
    [InlineData("", "the password is empty")]
    [InlineData("short", "the password has 5 characters; use at least 10")]
    public void Add_EmptyOrShortPassword_Refused(string password, string message)
    {
        var (code, _, stderr) = Run("add", "alice", "--role", "operator", "--password-file", PasswordFile(password));

        Assert.Equal(64, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(UsersJson));
    }

    [Fact]
    public void Add_UnknownRoleOrExistingUser_RefusedClearly()
    {
        Assert.Contains("unknown role 'admin'", Run("add", "alice", "--role", "admin", "--password-file", PasswordFile(Password)).Stderr, StringComparison.Ordinal);
        Run("add", "alice", "--role", "operator", "--password-file", PasswordFile(Password));

        var (code, _, stderr) = Run("add", "ALICE", "--role", "supervisor", "--password-file", PasswordFile(Password));

        Assert.Equal(64, code);
        Assert.Contains("already exists", stderr, StringComparison.Ordinal);
        Assert.Contains("no user 'nobody'", Run("remove", "nobody").Stderr, StringComparison.Ordinal);
    }

    private (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => AgentProcess.Run(["users", .. args, "--data-dir", Data]);

    private string PasswordFile(string password)
    {
        var file = Path.Combine(_temp.Path, $"pw-{Guid.NewGuid():N}");
        File.WriteAllText(file, password + "\n");
        return file;
    }

    private UserAccount Single(string name) =>
        JsonSerializer.Deserialize(File.ReadAllText(UsersJson), UsersJsonContext.Default.UsersDocument)!.Users.Single(u => u.Name == name);
}
