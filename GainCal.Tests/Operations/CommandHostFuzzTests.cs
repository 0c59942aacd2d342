using System.Buffers.Binary;
using System.Net.Sockets;
using GainCal.Operations;
using GainCal.Tests.Cluster;
using MessagePack;

namespace GainCal.Tests.Operations;

/// <summary>Random and mutated frames against the command host's framing, in memory and through a live node:
/// a bounded number of seeded cases (the seed is in every failure), each bounded in time.</summary>
public class CommandHostFuzzTests
{
    const int Seed = 1414;
    static readonly TimeSpan PerCase = TimeSpan.FromSeconds(10);

    static byte[] Wire(params HostFrame[] frames)
    {
        using var s = new MemoryStream();
        foreach (var f in frames) Framing.WriteAsync(s, f, default).GetAwaiter().GetResult();
        return s.ToArray();
    }

    static readonly byte[][] Valid =
    [
        Wire(HostFrame.Command("cluster status")),
        Wire(HostFrame.Command("gaincal status 5 --json"), HostFrame.Cancel()),
        Wire(HostFrame.Command("help"), HostFrame.Command("log tail -n 3")),
        Wire(new HostFrame(FrameKind.Auth, new string('a', 64), 0), HostFrame.Command("cluster show")),
    ];

    /// <summary>Case <paramref name="i"/>: pure noise, a valid stream with bytes flipped, one with a wrong length
    /// header, cut short, or with a chunk of noise spliced in.</summary>
    public static byte[] Mutant(Random r, int i)
    {
        var valid = Valid[r.Next(Valid.Length)];
        switch (i % 5)
        {
            case 0:
            {
                var noise = new byte[r.Next(0, 512)];
                r.NextBytes(noise);
                return noise;
            }
            case 1:
            {
                var b = (byte[])valid.Clone();
                for (var k = r.Next(1, 8); k > 0; k--) b[r.Next(b.Length)] ^= (byte)(1 << r.Next(8));
                return b;
            }
            case 2:
            {
                var b = (byte[])valid.Clone();
                BinaryPrimitives.WriteInt32BigEndian(b, r.Next(4) switch { 0 => -1, 1 => int.MaxValue, 2 => 0, _ => r.Next(1, 64) });
                return b;
            }
            case 3:
                return valid[..r.Next(valid.Length)];
            default:
            {
                var at = r.Next(valid.Length);
                var chunk = new byte[r.Next(1, 64)];
                r.NextBytes(chunk);
                return [.. valid[..at], .. chunk, .. valid[at..]];
            }
        }
    }

    [Fact]
    public async Task Framing_reads_mutated_streams_to_a_frame_an_end_or_a_clean_refusal()
    {
        var r = new Random(Seed);
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < 3000; i++)
        {
            var bytes = Mutant(r, i);
            var outcome = await Task.Run(async () =>
            {
                using var s = new MemoryStream(bytes);
                try
                {
                    while (await Framing.ReadAsync(s, default) is not null)
                    {
                    }
                    return "end";
                }
                catch (Exception e) when (e is InvalidDataException or EndOfStreamException or MessagePackSerializationException)
                {
                    return e.GetType().Name;
                }
            }).WaitAsync(PerCase);
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", outcomes.Select(o => $"{o.Key} {o.Value}")));
        // Every kind of outcome occurred: the mutations reach past the length header into the MessagePack body.
        Assert.Equal(["EndOfStreamException", "InvalidDataException", "MessagePackSerializationException", "end"], outcomes.Keys.Order());
    }

    [Fact]
    public async Task A_live_command_host_survives_mutated_connections_and_keeps_serving()
    {
        using var dir = new TempDir();
        await using var node = await InProcessNode.StartAsync(dir.Sub("data"), dir.Path);
        var r = new Random(Seed + 1);
        for (var i = 0; i < 150; i++)
        {
            var bytes = Mutant(r, i);
            await Task.Run(async () =>
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", node.Settings.CommandPort);
                var stream = client.GetStream();
                try
                {
                    await stream.WriteAsync(bytes);
                    client.Client.Shutdown(SocketShutdown.Send);
                    // Read whatever the host answers until it closes or a moment passes (a half-sent frame keeps it waiting).
                    using var quiet = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
                    var buffer = new byte[4096];
                    while (await stream.ReadAsync(buffer, quiet.Token) > 0)
                    {
                    }
                }
                catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
                {
                }
            }).WaitAsync(PerCase);
        }
        var status = await node.RunAsync("cluster status");
        Assert.Equal(0, status.Code);
        Assert.EndsWith("| up", status.Out.Single());
    }
}
