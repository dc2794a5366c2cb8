using System.Security.Claims;
using EdgeAgent.Dashboard.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace EdgeAgent.Dashboard.Access;

/// <summary>
/// <c>GET/POST /login</c> and <c>POST /logout</c>. The login form's anti-forgery token is checked by
/// <see cref="DashboardGate"/> like every other state-changing request (a forged login is an attack too).
/// </summary>
public sealed class LoginEndpoints(UserDirectory users, LoginThrottle throttle, DashboardAudit audit)
{
    /// <summary>The claim that carries the account's stamp, so a password change or removal ends the session.</summary>
    public const string StampClaim = "edgeagent:stamp";

    /// <summary><c>GET /login</c>: the form.</summary>
    public Task Form(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Responses.Html(context, LoginPage.Render(context, LocalPath.OrHome(context.Request.Query["return"]), null, ""));
    }

    /// <summary><c>POST /login</c>: checks the name and password, throttled and audited; a session cookie on success.</summary>
    public async Task SignIn(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Request.HasFormContentType)
        {
            await Responses.Text(context, StatusCodes.Status415UnsupportedMediaType, "POST the login form (application/x-www-form-urlencoded).").ConfigureAwait(false);
            return;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var name = form["name"].ToString();
        var password = form["password"].ToString();
        var back = LocalPath.OrHome(form["return"]);
        var address = DashboardGate.Address(context);
        if (UserNames.Problem(name) is { } problem)
        {
            audit.Record("login-refused", name, $"invalid user name ({problem}) from {address}");
            await Answer(context, StatusCodes.Status400BadRequest, back, $"Refused: {problem}.", "").ConfigureAwait(false);
            return;
        }

        if (throttle.LockedFor(name, address) is var locked && locked > TimeSpan.Zero)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(locked.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Answer(context, StatusCodes.Status429TooManyRequests, back, $"Too many failed logins: try again in {Math.Ceiling(locked.TotalSeconds):0} s.", name).ConfigureAwait(false);
            return;
        }

        var user = users.Find(name);
        if (!Passwords.Verify(user?.PasswordHash, password) || user is null || !DashboardRoles.TryParseAccountRole(user.Role, out var role))
        {
            var lockout = throttle.Failed(name, address);
            audit.Record("login-failed", name, $"wrong user name or password from {address}" + (lockout > TimeSpan.Zero ? $"; locked for {lockout.TotalSeconds:0} s" : ""));
            await Answer(context, StatusCodes.Status401Unauthorized, back, "Wrong user name or password.", name).ConfigureAwait(false);
            return;
        }

        throttle.Succeeded(name, address);
        var principal = new DashboardCaller(user.Name, role, DashboardAccessMethod.Session).ToPrincipal();
        ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim(StampClaim, user.Stamp));
        await context.SignInAsync(DashboardGate.SessionScheme, principal, new AuthenticationProperties { IsPersistent = false }).ConfigureAwait(false);
        audit.Record("login", user.Name, $"{role.Name()} signed in from {address}");
        context.Response.Redirect(back);
    }

    /// <summary><c>POST /logout</c>: ends the session.</summary>
    public async Task SignOut(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var caller = DashboardCaller.Of(context);
        await context.SignOutAsync(DashboardGate.SessionScheme).ConfigureAwait(false);
        if (caller.Method == DashboardAccessMethod.Session)
        {
            audit.Record("logout", caller.Name, $"signed out from {DashboardGate.Address(context)}");
        }

        context.Response.Redirect("/login");
    }

    private static Task Answer(HttpContext context, int status, string back, string message, string name)
    {
        context.Response.StatusCode = status;
        return Responses.Html(context, LoginPage.Render(context, back, message, name));
    }
}
