using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using EdgeAgent.Dashboard.Access;
using EdgeAgent.Dashboard.Api;
using EdgeAgent.Dashboard.Data;
using EdgeAgent.Dashboard.Labels;
using EdgeAgent.Dashboard.Pages;
using EdgeAgent.Dashboard.Pictures;
using EdgeAgent.Dashboard.Review;
using EdgeAgent.Decisions;
using EdgeAgent.Dashboard.Prometheus;
using EdgeAgent.Dashboard.Status;
using EdgeAgent.Dashboard.Users;
using EdgeAgent.Drift;
using EdgeAgent.Ingest;
using EdgeAgent.Models.Store;
using EdgeAgent.Publish;
using EdgeAgent.Storage.Log;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Decode;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Dashboard;

/// <summary>
/// The supervisors' dashboard as one of the agent's hosted services: it builds its own small Kestrel application
/// (the agent's host stays the generic host) over the agent's own <see cref="VerdictLog"/>, model store and health.
/// It starts last and stops first. A dashboard that cannot listen (port taken) is logged and left out: the line
/// keeps being judged. Requests run on the thread pool, never on a pipeline stage's thread.
/// </summary>
public sealed class DashboardServer(
    IOptions<DashboardOptions> options,
    VerdictLog log,
    ModelStore store,
    IAgentStatus status,
    StationIdentity station,
    IOptions<IngestOptions> ingest,
    IOptions<DecodeLimits> limits,
    IOptions<DriftOptions> drift,
    IOptions<ReviewOptions> review,
    PrometheusExport prometheus,
    IOptions<MetricsOptions> metrics,
    TimeProvider time,
    ILoggerFactory loggers,
    IOutboxNudge? outbox = null) : IHostedService, IAsyncDisposable
{
    private static readonly TimeSpan StopBudget = TimeSpan.FromSeconds(5);
    private readonly ILogger _logger = loggers.CreateLogger<DashboardServer>();
    private (WebApplication App, LogReader Reader, VerdictPictures Pictures, X509Certificate2? Certificate)? _running;

    /// <summary>The addresses actually bound (with the real port when 0 was asked for); empty when not serving.</summary>
    public IReadOnlyList<string> Addresses { get; private set; } = [];

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            Log.Disabled(_logger);
            return;
        }

        var token = settings.ResolveToken();
        var reader = new LogReader(log, settings.MaxScan);
        var pictures = new VerdictPictures(new VerdictFiles(ingest.Value.Folders), limits.Value);
        // Validated at start (DashboardOptionsValidation); a file changed since is the dashboard's failure, not the agent's.
        X509Certificate2? certificate;
        try
        {
            certificate = settings.LoadCertificate();
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
        {
            Log.CannotListen(_logger, settings.Urls, $"certificate {settings.CertificateFile}: {e.Message}");
            return;
        }

        var app = Build(settings, token, reader, pictures, certificate);
        try
        {
            // Not cancelled by a stop that arrives meanwhile: binding takes milliseconds, and the host stops the
            // dashboard like every other service once its start is done. A cancelled start failed the host's start
            // ("Hosting failed to start", logged as an error) and aborted the process with exit 134.
            await app.StartAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or UnauthorizedAccessException)
        {
            Log.CannotListen(_logger, settings.Urls, e.Message);
            await app.DisposeAsync().ConfigureAwait(false);
            reader.Dispose();
            pictures.Dispose();
            certificate?.Dispose();
            return;
        }

        _running = (app, reader, pictures, certificate);
        Addresses = [.. app.Urls];
        Log.Listening(_logger, string.Join(", ", Addresses), token is null ? "sign-in or anonymous read-only: this machine only" : "sign-in or token required");
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_running is not { } running)
        {
            return;
        }

        _running = null;
        Addresses = [];
        // A few seconds for requests in flight (a CSV download), not the host's whole drain: the journal needs it.
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(StopBudget);
        await running.App.StopAsync(budget.Token).ConfigureAwait(false);
        await running.App.DisposeAsync().ConfigureAwait(false);
        running.Reader.Dispose();
        running.Pictures.Dispose();
        running.Certificate?.Dispose();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    private WebApplication Build(DashboardOptions settings, string? token, LogReader reader, VerdictPictures pictures, X509Certificate2? certificate)
    {
        // The empty builder reads no configuration, environment or appsettings of its own: only what is set here.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        var quota = new ConnectionQuota(settings.MaxConnectionsPerAddress, _logger);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            foreach (var url in ListenAddress.Split(settings.Urls))
            {
                // Validated at start (DashboardOptionsValidation), so every address parses here.
                _ = ListenAddress.TryParse(url, out var address, out _);
                address.ListenOn(kestrel, certificate, quota.Wrap);
            }

            kestrel.AddServerHeader = false;
            // A cap on connections alone let 32 idle ones lock everyone out for Kestrel's default 130 s: a connection
            // that sends nothing is dropped after KeepAliveTimeout, one that starts a request and stalls after
            // RequestHeadersTimeout, a body slower than 240 B/s after 5 s at once; so a slot frees soon. One client
            // can hold only its quota of the slots (ConnectionQuota).
            kestrel.Limits.MaxConcurrentConnections = settings.MaxConnections;
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(30);
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            kestrel.Limits.MinRequestBodyDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
            kestrel.Limits.MaxRequestBodySize = 16 * 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
        });
        builder.Services.AddRoutingCore();
        builder.Services.AddLogging();
        builder.Services.AddSingleton(loggers);
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        var users = new UserDirectory(new UsersFile(settings.UsersFile ?? UsersFile.DefaultName), _logger);
        AddSessions(builder.Services, settings, users);
        var app = builder.Build();
        app.Use(Guard);
        app.Use(new HostGate(settings.AllowedHosts).InvokeAsync);
        // Prometheus scrapes past the sign-in: /metrics keeps its own rule (ScrapeGate).
        ScrapeEndpoint.Map(app, prometheus, ScrapeGate.For(settings, token, metrics.Value));
        var audit = new DashboardAudit(log, time, _logger);
        app.Use(new DashboardGate(new SharedToken(token), users, audit).InvokeAsync);
        var decisions = new DecisionEndpoints(log, review.Value, outbox, audit, time, loggers.CreateLogger<DecisionEndpoints>());
        DashboardEndpoints.Map(
            app,
            new PageEndpoints(reader, pictures, store, status, station, drift, decisions, time),
            new ApiEndpoints(reader, store, status, station, time),
            new LoginEndpoints(users, new LoginThrottle(time), audit),
            decisions,
            new LabelEndpoints(reader, new VerdictFiles(ingest.Value.Folders), station, time));
        return app;
    }

    // Login sessions: ASP.NET Core's cookie authentication and antiforgery. Keys are ephemeral (in memory): a restart
    // of the agent signs everyone out, and no key file has to be protected on the box.
    private void AddSessions(IServiceCollection services, DashboardOptions settings, UserDirectory users)
    {
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddAuthentication(DashboardGate.SessionScheme).AddCookie(DashboardGate.SessionScheme, cookie =>
        {
            cookie.TimeProvider = time;
            cookie.Cookie.Name = "edgeagent_session";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = TimeSpan.FromMinutes(settings.SessionMinutes);
            cookie.SlidingExpiration = true;
            cookie.Events.OnValidatePrincipal = context =>
            {
                // A removed user, a changed password or role ends the session at its next request.
                var caller = DashboardCaller.Of(context.Principal);
                var stamp = context.Principal?.FindFirst(LoginEndpoints.StampClaim)?.Value;
                if (users.Find(caller.Name) is not { } user || user.Stamp != stamp || user.Role != caller.Role.Name())
                {
                    context.RejectPrincipal();
                }

                return Task.CompletedTask;
            };
        });
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "edgeagent_csrf";
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            antiforgery.HeaderName = DashboardAccess.AntiforgeryHeader;
            antiforgery.FormFieldName = DashboardAccess.AntiforgeryField;
            // The Guard's Content-Security-Policy (frame-ancestors 'none') already forbids framing.
            antiforgery.SuppressXFrameOptionsHeader = true;
        });
    }

    // Headers for a page that loads only its own files, and failures turned into one clear answer.
    private async Task Guard(HttpContext context, RequestDelegate next)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            // Checked before IOException, its base: a body over the limit or a malformed request is the caller's, not the log's.
            await Responses.Text(context, e.StatusCode, $"The request was refused: {e.Message}").ConfigureAwait(false);
        }
        catch (IOException e) when (!context.Response.HasStarted)
        {
            Log.LogUnreadable(_logger, context.Request.Path.Value ?? "", e.Message);
            await Responses.Text(context, StatusCodes.Status503ServiceUnavailable, $"The log could not be read just now ({e.Message}); try again.").ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException && !context.Response.HasStarted)
        {
            Log.RequestFailed(_logger, context.Request.Path.Value ?? "", e);
            await Responses.Text(context, StatusCodes.Status500InternalServerError, "The dashboard failed on this request; the agent's log has the details.").ConfigureAwait(false);
        }
    }
}
