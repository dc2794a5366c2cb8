using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace EdgeAgent.Dashboard.Tests.Browser;

/// <summary>
/// The few Chrome DevTools Protocol calls the browser test needs, over one WebSocket to the browser: a page target
/// attached in flat mode (every command carries its session id), navigation that waits for the load event, script
/// evaluation and screenshots. Replies are matched to commands by id; events wake whoever waits for them.
/// </summary>
public sealed class CdpSession : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonObject>> _replies = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _events = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private Task _receiving = Task.CompletedTask;
    private int _nextId;
    private string? _session;

    /// <summary>Connects to the browser at <paramref name="browserUrl"/> and opens a blank page to drive.</summary>
    public static async Task<CdpSession> OpenPageAsync(Uri browserUrl)
    {
        var cdp = new CdpSession();
        await cdp._socket.ConnectAsync(browserUrl, CancellationToken.None);
        cdp._receiving = cdp.ReceiveAsync();
        var target = await cdp.SendAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" });
        var attached = await cdp.SendAsync("Target.attachToTarget", new JsonObject { ["targetId"] = target["targetId"]!.GetValue<string>(), ["flatten"] = true });
        cdp._session = attached["sessionId"]!.GetValue<string>();
        await cdp.SendAsync("Page.enable");
        await cdp.SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject { ["width"] = 1400, ["height"] = 900, ["deviceScaleFactor"] = 1, ["mobile"] = false });
        return cdp;
    }

    /// <summary>Loads <paramref name="url"/> and returns once the page (its images included) has fired its load event.</summary>
    public async Task NavigateAsync(Uri url)
    {
        var loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _events["Page.loadEventFired"] = loaded;
        var reply = await SendAsync("Page.navigate", new JsonObject { ["url"] = url.ToString() });
        if (reply["errorText"] is { } error)
        {
            throw new InvalidOperationException($"navigating to {url} failed: {error}");
        }

        await loaded.Task.WaitAsync(CommandTimeout);
    }

    /// <summary>Evaluates <paramref name="expression"/> (e.g. a form's submit) and returns once the page it leads to has loaded.</summary>
    public async Task EvaluateAndWaitForLoadAsync(string expression)
    {
        var loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _events["Page.loadEventFired"] = loaded;
        await EvaluateAsync(expression);
        await loaded.Task.WaitAsync(CommandTimeout);
    }

    /// <summary>Evaluates a script expression in the page and returns its value, as JSON.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var reply = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true });
        if (reply["exceptionDetails"] is { } exception)
        {
            throw new InvalidOperationException($"script failed: {exception.ToJsonString()}");
        }

        return reply["result"]?["value"];
    }

    /// <summary>Presses and releases one printable key, as a person at the keyboard would (trusted key events).</summary>
    public async Task PressKeyAsync(string key)
    {
        await SendAsync("Input.dispatchKeyEvent", new JsonObject { ["type"] = "keyDown", ["key"] = key, ["text"] = key, ["unmodifiedText"] = key });
        await SendAsync("Input.dispatchKeyEvent", new JsonObject { ["type"] = "keyUp", ["key"] = key });
    }

    /// <summary>A PNG of the whole page, beyond the window's height.</summary>
    public async Task<byte[]> ScreenshotAsync()
    {
        var reply = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = true });
        return Convert.FromBase64String(reply["data"]!.GetValue<string>());
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _receiving;
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The browser is going away with the test.
        }

        _socket.Dispose();
        _stop.Dispose();
        _sending.Dispose();
    }

    private async Task<JsonObject> SendAsync(string method, JsonObject? parameters = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _replies[id] = reply;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        if (_session is not null)
        {
            message["sessionId"] = _session;
        }

        await _sending.WaitAsync();
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
        finally
        {
            _sending.Release();
        }

        return await reply.Task.WaitAsync(CommandTimeout);
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        while (!_stop.IsCancellationRequested)
        {
            var part = await _socket.ReceiveAsync(buffer, _stop.Token);
            if (part.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            message.Write(buffer, 0, part.Count);
            if (!part.EndOfMessage)
            {
                continue;
            }

            var json = JsonNode.Parse(message.ToArray())!.AsObject();
            message.SetLength(0);
            if (json["id"] is { } id && _replies.TryRemove(id.GetValue<int>(), out var reply))
            {
                if (json["error"] is { } error)
                {
                    reply.TrySetException(new InvalidOperationException($"CDP error: {error.ToJsonString()}"));
                }
                else
                {
                    reply.TrySetResult(json["result"]?.AsObject() ?? new JsonObject());
                }
            }
            else if (json["method"]?.GetValue<string>() is { } method && _events.TryRemove(method, out var waiting))
            {
                waiting.TrySetResult();
            }
        }
    }
}
