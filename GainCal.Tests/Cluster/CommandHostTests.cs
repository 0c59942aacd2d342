using System.Buffers.Binary;
using CsCheck;
using System.Net.Sockets;
using GainCal.Operations;

namespace GainCal.Tests.Cluster;

public class CommandHostTests
{
    [Fact]
    public async Task Host_answers_bad_commands_with_usage_and_keeps_serving()
    {
        using var dir = new TempDir();
        await using var node = await InProcessNode.StartAsync(dir.Path, dir.Path);

        var show = await node.RunAsync("cluster show");
        Assert.Equal(0, show.Code);
        Assert.Equal($"akka.tcp://gaincal@127.0.0.1:{node.Settings.Port} | [worker] | up", show.Out[0]);
        Assert.Equal("Count: 1 nodes", show.Out[^1]);

        var unknown = await node.RunAsync("gaincal frobnicate 12");
        Assert.Equal(CommandPalettes.Usage, unknown.Code);
        Assert.Contains(unknown.Err, l => l.Contains("unknown gaincal command 'frobnicate'"));
        Assert.Contains(unknown.Err, l => l.StartsWith("usage: gaincal create RUN"));

        var badRun = await node.RunAsync("gaincal status twelve");
        Assert.Equal(CommandPalettes.Usage, badRun.Code);
        Assert.Equal("error: RUN must be a positive run number, got 'twelve'", badRun.Err[0]);
        Assert.Equal("usage: gaincal status RUN [--json] [-B|--bpix-only | -F|--fpix-only] [-n|--fed FEDS ...]", badRun.Err[1]);

        var quote = await node.RunAsync("gaincal status 'unterminated");
        Assert.Equal(CommandPalettes.Usage, quote.Code);

        var missing = await node.RunAsync("gaincal submit 424242");
        Assert.Equal(CommandPalettes.Failed, missing.Code);
        Assert.Equal("error: run 424242 is not known; create it first (gaincal create 424242 -i DIR -o DIR)", missing.Err.Single());

        var outside = await node.RunAsync("gaincal create 5 -i /etc -o " + dir.Path);
        Assert.Equal(CommandPalettes.Failed, outside.Code);
        Assert.Equal($"error: /etc is outside this node's allowed data roots ({dir.Path})", outside.Err.Single());

        var relative = await node.RunAsync("gaincal create 5 -i in -o " + dir.Path);
        Assert.Equal("error: in: paths sent to a node must be absolute", relative.Err.Single());

        var noValue = await node.RunAsync("gaincal create 5 -i");
        Assert.Equal(CommandPalettes.Usage, noValue.Code);
        Assert.Equal("error: option -i needs a value", noValue.Err[0]);

        // A peer speaking garbage loses its connection; the host goes on serving others.
        using (var raw = new TcpClient())
        {
            await raw.ConnectAsync("127.0.0.1", node.Settings.CommandPort);
            Assert.Equal(FrameKind.Hello, (await Framing.ReadAsync(raw.GetStream(), default))!.Kind);
            var header = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(header, int.MaxValue);
            await raw.GetStream().WriteAsync(header);
            var buffer = new byte[16];
            Assert.Equal(0, await raw.GetStream().ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        }
        Assert.Equal(0, (await node.RunAsync("cluster status")).Code);
    }

    [Fact]
    public async Task Resubmit_force_without_feds_is_refused_with_the_command_that_works()
    {
        using var dir = new TempDir();
        await using var node = await InProcessNode.StartAsync(dir.Path, dir.Path);
        var force = await node.RunAsync("gaincal resubmit 400004 --force");
        Assert.Equal(CommandPalettes.Usage, force.Code);
        Assert.Equal("error: --force needs the FEDs to recompute: --fed N ... (or --fed -1 for every FED), " +
                     "e.g. gaincal resubmit 400004 --fed -1 --force", force.Err[0]);
        Assert.StartsWith("usage: gaincal resubmit RUN [-n|--fed FEDS ... [-f|--force]]", force.Err[1]);
        var named = await node.RunAsync("gaincal resubmit 400004 --fed 1201 --force");
        Assert.Equal("error: run 400004 is not known; create it first (gaincal create 400004 -i DIR -o DIR)", named.Err.Single());
    }

    [Fact]
    public async Task Several_commands_share_one_connection()
    {
        using var dir = new TempDir();
        await using var node = await InProcessNode.StartAsync(dir.Path);
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", node.Settings.CommandPort);
        var stream = client.GetStream();
        foreach (var (line, expected) in new[] { ("gaincal", 2), ("cluster leader", 0), ("nonsense palette", 2), ("help", 0) })
        {
            await Framing.WriteAsync(stream, HostFrame.Command(line), default);
            HostFrame? frame;
            do frame = await Framing.ReadAsync(stream, default);
            while (frame is { Kind: not FrameKind.Exit });
            Assert.Equal(expected, frame!.Code);
        }
    }

    [Fact]
    public async Task Unreachable_node_is_one_clear_error()
    {
        var port = FreePorts.Take(1)[0];
        var e = await Assert.ThrowsAsync<CommandHostUnreachableException>(() =>
            CommandHostClient.RunAsync($"127.0.0.1:{port}", "cluster show", _ => { }, _ => { }));
        Assert.StartsWith($"cannot reach node 127.0.0.1:{port}: ", e.Message);
        Assert.Throws<FormatException>(() => CommandHostClient.ParseEndpoint("localhost"));
    }

    [Theory]
    [InlineData("gaincal create 1 -i /a/b -o '/c d'", new[] { "gaincal", "create", "1", "-i", "/a/b", "-o", "/c d" })]
    [InlineData("  a\t\"b \\\" c\"  'd''e' f\\ g ", new[] { "a", "b \" c", "de", "f g" })]
    [InlineData("", new string[0])]
    public void Command_lines_split_like_a_shell(string line, string[] expected) =>
        Assert.Equal(expected, CommandLineText.Split(line));

    [Fact]
    public void Joined_arguments_split_back_to_themselves()
    {
        var word = Gen.Char["ab \t'\"\\/-é1"].Array[0, 6].Select(c => new string(c));
        word.Array[0, 6].Sample(args => CommandLineText.Split(CommandLineText.Join(args)).SequenceEqual(args), iter: 2000);
    }
}
