using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Hosting;
using GainCal.Cluster;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GainCal.Operations;

/// <summary>The node's command host: TCP (loopback unless configured otherwise), one command line per
/// request frame, answered with output frames and an exit frame. A command that cannot be parsed gets
/// its usage and a non-zero exit; the host keeps serving whatever a client sends. Bound beyond loopback it
/// requires the shared secret (CommandSecret): every connection starts with a challenge the client must answer.</summary>
public sealed class CommandHostService(NodeSettings settings, ActorSystem system, ActorRegistry registry, LogRing logRing,
    JournalHealth journal, ILogger<CommandHostService> log) : BackgroundService
{
    /// <summary>Exit code of a command refused because the client did not prove it knows the secret.</summary>
    public const int Refused = ExitCodes.SecretRefused;

    readonly CommandPalettes _palettes = new(settings, system, registry, logRing, journal);
    readonly string? _secret = string.IsNullOrEmpty(settings.CommandSecret) ? null : settings.CommandSecret;
    readonly SecretAttempts _attempts = new(TimeProvider.System);
    TcpListener? _listener;

    /// <summary>Binds before the host reports started (ExecuteAsync runs later, on the thread pool), so a
    /// started node accepts commands at once and a taken port fails the start instead of a background task.</summary>
    public override Task StartAsync(CancellationToken ct)
    {
        if (settings.CommandPort != 0)
        {
            if (settings.CommandSecretProblem() is { } problem) throw new InvalidOperationException(problem);
            _listener = new TcpListener(IPAddress.Parse(settings.CommandHost), settings.CommandPort);
            _listener.Start();
            log.LogInformation("command host listening on {Host}:{Port}{Secret}", settings.CommandHost, settings.CommandPort,
                _secret is null ? "" : " (shared secret required)");
        }
        return base.StartAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        if (_listener is not { } listener) return;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(ct);
                _ = ServeAsync(client, ct);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            listener.Stop();
        }
    }

    async Task ServeAsync(TcpClient client, CancellationToken ct)
    {
        using var _ = client;
        client.NoDelay = true;
        var stream = client.GetStream();
        // Frames are read all the time, also while a command runs: a Cancel frame or the client's disconnect
        // must reach a streaming command (cluster tail), which otherwise never ends.
        using var closed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var frames = Channel.CreateUnbounded<HostFrame>();
        CancellationTokenSource? running = null;
        var reader = Task.Run(async () =>
        {
            try
            {
                while (await Framing.ReadAsync(stream, closed.Token) is { } frame)
                    if (frame.Kind == FrameKind.Cancel) Volatile.Read(ref running)?.Cancel();
                    else frames.Writer.TryWrite(frame);
            }
            catch (Exception e) when (e is IOException or SocketException or InvalidDataException or OperationCanceledException
                                          or ObjectDisposedException or MessagePack.MessagePackSerializationException)
            {
                log.LogDebug("command host connection ended: {Reason}", e.Message);
            }
            finally
            {
                frames.Writer.TryComplete();
                await closed.CancelAsync();
            }
        }, CancellationToken.None);
        var peer = (client.Client.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
        try
        {
            var challenge = _secret is null ? null : CommandSecret.NewChallenge();
            await Framing.WriteAsync(stream, HostFrame.Hello(challenge), closed.Token);
            var authenticated = challenge is null;
            await foreach (var frame in frames.Reader.ReadAllAsync(closed.Token))
            {
                if (!authenticated)
                {
                    if (_attempts.LockedOutFor(peer) is { } wait)
                    {
                        // No answer is looked at while locked out, so guessing cannot go on in the meantime.
                        await Framing.WriteAsync(stream, HostFrame.Err(
                            $"error: refused: too many wrong secrets from {peer}; try again in {Math.Ceiling(wait.TotalSeconds)} s"), closed.Token);
                        await Framing.WriteAsync(stream, HostFrame.Exit(Refused), closed.Token);
                        return;
                    }
                    if (frame.Kind == FrameKind.Auth && CommandSecret.Check(_secret!, challenge!, frame.Text))
                    {
                        authenticated = true;
                        _attempts.Succeeded(peer);
                        continue;
                    }
                    var wrong = frame.Kind == FrameKind.Auth;
                    if (wrong)
                    {
                        var failures = _attempts.Failed(peer);
                        log.LogWarning("command host refused {Peer}: wrong secret ({Failures} of {Max} allowed in {Window} s){Locked}",
                            client.Client.RemoteEndPoint, failures, SecretAttempts.MaxFailures, SecretAttempts.Window.TotalSeconds,
                            failures >= SecretAttempts.MaxFailures ? "; this address is locked out" : "");
                    }
                    else log.LogWarning("command host refused {Peer}: no secret", client.Client.RemoteEndPoint);
                    await Framing.WriteAsync(stream, HostFrame.Err(wrong
                        ? "error: refused: wrong shared secret for this command host"
                        : $"error: refused: this command host requires the shared secret; set {CommandHostClient.SecretVariable} or pass --secret-file FILE"), closed.Token);
                    await Framing.WriteAsync(stream, HostFrame.Exit(Refused), closed.Token);
                    return;
                }
                if (frame.Kind != FrameKind.Command)
                {
                    await Framing.WriteAsync(stream, HostFrame.Err($"expected a command frame, got {frame.Kind}"), closed.Token);
                    await Framing.WriteAsync(stream, HostFrame.Exit(2), closed.Token);
                    continue;
                }
                using var command = CancellationTokenSource.CreateLinkedTokenSource(closed.Token);
                Volatile.Write(ref running, command);
                int code;
                try
                {
                    code = await _palettes.ExecuteAsync(frame.Text, f => Framing.WriteAsync(stream, f, closed.Token), command.Token);
                }
                catch (OperationCanceledException) when (command.IsCancellationRequested && !closed.IsCancellationRequested)
                {
                    await Framing.WriteAsync(stream, HostFrame.Err("cancelled"), closed.Token);
                    code = 130;
                }
                catch (Exception e) when (e is not (IOException or SocketException or OperationCanceledException))
                {
                    log.LogError(e, "command {Command} failed", frame.Text);
                    await Framing.WriteAsync(stream, HostFrame.Err($"error: {e.Message}"), closed.Token);
                    code = 1;
                }
                finally
                {
                    Volatile.Write(ref running, null);
                }
                await Framing.WriteAsync(stream, HostFrame.Exit(code), closed.Token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            log.LogDebug("command host connection ended: {Reason}", e.Message);
        }
        finally
        {
            await closed.CancelAsync();
            client.Close();
            await reader;
        }
    }
}
