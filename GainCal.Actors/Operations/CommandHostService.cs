using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Hosting;
using GainCal.Cluster;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GainCal.Operations;

/// <summary>The node's command host: TCP (loopback unless configured otherwise), one command line per
/// request frame, answered with output frames and an exit frame. A command that cannot be parsed gets
/// its usage and a non-zero exit; the host keeps serving whatever a client sends.</summary>
public sealed class CommandHostService(NodeSettings settings, ActorSystem system, ActorRegistry registry, ILogger<CommandHostService> log)
    : BackgroundService
{
    readonly CommandPalettes _palettes = new(settings, system, registry);
    TcpListener? _listener;

    /// <summary>Binds before the host reports started (ExecuteAsync runs later, on the thread pool), so a
    /// started node accepts commands at once and a taken port fails the start instead of a background task.</summary>
    public override Task StartAsync(CancellationToken ct)
    {
        if (settings.CommandPort != 0)
        {
            _listener = new TcpListener(IPAddress.Parse(settings.CommandHost), settings.CommandPort);
            _listener.Start();
            log.LogInformation("command host listening on {Host}:{Port}", settings.CommandHost, settings.CommandPort);
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
        try
        {
            while (await Framing.ReadAsync(stream, ct) is { } frame)
            {
                if (frame.Kind != FrameKind.Command)
                {
                    await Framing.WriteAsync(stream, HostFrame.Err($"expected a command frame, got {frame.Kind}"), ct);
                    await Framing.WriteAsync(stream, HostFrame.Exit(2), ct);
                    continue;
                }
                int code;
                try
                {
                    code = await _palettes.ExecuteAsync(frame.Text, f => Framing.WriteAsync(stream, f, ct), ct);
                }
                catch (Exception e) when (e is not (IOException or SocketException or OperationCanceledException))
                {
                    log.LogError(e, "command {Command} failed", frame.Text);
                    await Framing.WriteAsync(stream, HostFrame.Err($"error: {e.Message}"), ct);
                    code = 1;
                }
                await Framing.WriteAsync(stream, HostFrame.Exit(code), ct);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidDataException or OperationCanceledException
                                      or MessagePack.MessagePackSerializationException)
        {
            log.LogDebug("command host connection ended: {Reason}", e.Message);
        }
    }
}
