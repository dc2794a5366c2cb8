using System.CommandLine;
using EdgeAgent.Dashboard;
using EdgeAgent.Dashboard.Users;
using EdgeAgent.Host.Hosting;
using EdgeAgent.Storage.Log;

namespace EdgeAgent.Host.Cli;

/// <summary>
/// <c>edgeagent users add|list|remove|passwd|token</c>: the dashboard's local accounts in <c>users.json</c>
/// (<c>Dashboard:UsersFile</c>, default in the data directory). Works while the agent runs: the file is not the
/// journal, and the dashboard rereads it when it changes. Passwords come from a file (first line), never from the
/// command line, where <c>ps</c> and the shell history would show them.
/// </summary>
internal static class UsersVerb
{
    public static Command Command()
    {
        var command = new Command("users", "the dashboard's local accounts (operator, supervisor, technician) and personal API tokens");
        foreach (var verb in new[] { AddCommand(), ListCommand(), RemoveCommand(), PasswdCommand(), TokenCommand() })
        {
            command.Subcommands.Add(verb);
        }

        return command;
    }

    private static Command AddCommand()
    {
        var name = NameArgument();
        var role = CliOptions.Required("--role", "operator|supervisor|technician", "what the user may do on the dashboard");
        var password = PasswordFile();
        var where = new Where();
        var command = new Command("add", "adds a user (the password is hashed; the file's first line is the password)") { name }.With([role, password, .. where.All]);
        command.SetAction((result, _) => Task.FromResult(Run(where.Admin(result), admin =>
        {
            admin.Add(result.GetRequiredValue(name), result.GetRequiredValue(role), ReadPassword(result.GetRequiredValue(password)));
            Console.WriteLine($"added {result.GetRequiredValue(name)} ({result.GetRequiredValue(role).Trim().ToLowerInvariant()})");
        })));
        return command;
    }

    private static Command ListCommand()
    {
        var where = new Where();
        var command = new Command("list", "the users, their roles and whether they have a personal token").With(where.All);
        command.SetAction((result, _) => Task.FromResult(Run(where.Admin(result, writes: false), admin =>
        {
            Console.WriteLine($"{"name",-24}  {"role",-10}  {"token",-5}  {"created (UTC)",-19}  changed (UTC)");
            foreach (var user in admin.List())
            {
                Console.WriteLine($"{UserNames.ForLog(user.Name),-24}  {user.Role,-10}  {(user.TokenSha256 is null ? "no" : "yes"),-5}  {user.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}  {user.ChangedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}");
            }
        })));
        return command;
    }

    private static Command RemoveCommand()
    {
        var name = NameArgument();
        var where = new Where();
        var command = new Command("remove", "removes a user; their sessions and token stop working at once") { name }.With(where.All);
        command.SetAction((result, _) => Task.FromResult(Run(where.Admin(result), admin =>
        {
            admin.Remove(result.GetRequiredValue(name));
            Console.WriteLine($"removed {result.GetRequiredValue(name)}");
        })));
        return command;
    }

    private static Command PasswdCommand()
    {
        var name = NameArgument();
        var password = PasswordFile();
        var where = new Where();
        var command = new Command("passwd", "sets a new password; the user's open sessions end") { name }.With([password, .. where.All]);
        command.SetAction((result, _) => Task.FromResult(Run(where.Admin(result), admin =>
        {
            admin.ChangePassword(result.GetRequiredValue(name), ReadPassword(result.GetRequiredValue(password)));
            Console.WriteLine($"password of {result.GetRequiredValue(name)} changed");
        })));
        return command;
    }

    private static Command TokenCommand()
    {
        var name = NameArgument();
        var where = new Where();
        var command = new Command("token", "prints a new personal API token for scripts (shown once; the previous one stops working)") { name }.With(where.All);
        command.SetAction((result, _) => Task.FromResult(Run(where.Admin(result), admin =>
            Console.WriteLine(admin.IssueToken(result.GetRequiredValue(name))))));
        return command;
    }

    private static Argument<string> NameArgument() => new("NAME") { Description = $"the user name (1–{UserNames.MaxLength} characters, no control characters)" };

    private static Option<string> PasswordFile() =>
        CliOptions.Required("--password-file", "FILE", $"a file whose first line is the password (at least {Passwords.MinLength} characters); '-' reads standard input");

    // The first line, without its line end; the file's other lines are ignored (a trailing newline is normal).
    private static string ReadPassword(string path)
    {
        try
        {
            var line = path == "-" ? Console.In.ReadLine() : File.ReadLines(path).FirstOrDefault();
            return line?.TrimEnd('\r', '\n') ?? "";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read the password file {path}: {e.Message}");
        }
    }

    private static int Run(UserAdministration admin, Action<UserAdministration> action)
    {
        try
        {
            action(admin);
            return 0;
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>Where the users file is: the service's configuration, or a data directory given outright.</summary>
    private sealed class Where
    {
        private readonly Option<string?> _config = CliOptions.Config();
        private readonly Option<string?> _dataDir = CliOptions.Text("--data-dir", "DIR", "the agent's data directory [default: Storage:DataDirectory of the configuration]");

        public Option[] All => [_config, _dataDir];

        public UserAdministration Admin(ParseResult result, bool writes = true)
        {
            var overrides = new Dictionary<string, string?>();
            if (result.GetValue(_dataDir) is { } dataDir)
            {
                overrides[$"{VerdictLogOptions.Section}:{nameof(VerdictLogOptions.DataDirectory)}"] = dataDir;
            }

            using var options = VerbOptions.Read(result.GetValue(_config), overrides, more: services => services.AddDashboardOptions());
            var file = new UsersFile(options.Get<DashboardOptions>().UsersFile!);
            if (writes && Environment.IsPrivilegedProcess && OperatingSystem.IsLinux())
            {
                // A file rewritten by root is root's, mode 0600: the agent's own user could no longer read it.
                Console.Error.WriteLine($"edgeagent: note: running as root; {file.Path} will be root's. Run it as the service user "
                    + $"(sudo -u edgeagent edgeagent users …) or chown edgeagent: {file.Path} afterwards.");
            }

            return new UserAdministration(file, TimeProvider.System);
        }
    }
}
