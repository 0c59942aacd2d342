using GainCal.Storage;

namespace GainCal.Tests.Storage;

/// <summary>A read stream that loses its server mid-file: the real server is SIGKILLed and started again.</summary>
[Trait("Category", "Slow")]
public class XRootDResumeTests
{
    [Fact]
    public async Task A_stream_resumes_after_the_server_is_killed_and_restarted_with_identical_bytes()
    {
        await using var server = await XRootDTestServer.StartAsync();
        var content = XRootDStorageTests.RandomBytes(24 << 20, 11);
        server.Put("run/GainCalibration_1200_1.dmp", content);
        var url = server.Url("run/GainCalibration_1200_1.dmp");

        await using var stream = XRootDReadStream.Open(XRootDUrl.Parse(url), XRootDStorageTests.Small);
        var copy = new byte[content.Length];
        stream.ReadExactly(copy, 0, 5 << 20);
        await server.KillAsync();
        var restart = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            await server.RestartAsync();
        });
        stream.ReadExactly(copy, 5 << 20, content.Length - (5 << 20));
        await restart;

        Assert.Equal(0, stream.Read(new byte[1]));
        Assert.True(content.AsSpan().SequenceEqual(copy), "bytes after the resume differ from the file");
        Assert.True(stream.Resumes >= 1, "the stream never reconnected, so the kill did not hit it");
    }

    [Fact]
    public async Task A_stream_whose_server_stays_down_fails_as_connection_lost_naming_the_url_and_offset()
    {
        await using var server = await XRootDTestServer.StartAsync();
        server.Put("f.dmp", XRootDStorageTests.RandomBytes(8 << 20, 12));
        var url = server.Url("f.dmp");

        await using var stream = XRootDReadStream.Open(XRootDUrl.Parse(url), XRootDStorageTests.Small with { ResumeWindow = TimeSpan.FromSeconds(2) });
        stream.ReadExactly(new byte[3 << 20]);
        await server.KillAsync();

        var e = Assert.Throws<StorageException>(() => stream.ReadExactly(new byte[5 << 20]));
        Assert.Equal(StorageFailure.ConnectionLost, e.Failure);
        Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(url)}: connection lost at byte \\d+ of {8 << 20} and not re-established within 2 s", e.Message);
    }

    [Fact]
    public async Task A_write_that_loses_its_server_fails_naming_the_url_and_never_appears()
    {
        await using var server = await XRootDTestServer.StartAsync();
        var storage = new XRootDStorage(XRootDStorageTests.Small);
        var url = server.Url("out/fed/1200.parquet");

        var write = storage.BeginWrite(url);
        write.Stream.Write(XRootDStorageTests.RandomBytes(3 << 20, 15));
        await server.KillAsync();
        var e = Assert.Throws<StorageException>(() =>
        {
            write.Stream.Write(XRootDStorageTests.RandomBytes(2 << 20, 16));
            write.Commit();
        });
        write.Dispose();

        Assert.Equal(StorageFailure.ConnectionLost, e.Failure);
        Assert.StartsWith($"{url}: connection lost mid-transfer", e.Message);
        Assert.False(File.Exists(Path.Combine(server.Root, "out", "fed", "1200.parquet")));
    }

    [Fact]
    public async Task A_file_replaced_while_its_server_was_down_is_not_mixed_into_the_stream()
    {
        await using var server = await XRootDTestServer.StartAsync();
        server.Put("g.dmp", XRootDStorageTests.RandomBytes(8 << 20, 13));
        var url = server.Url("g.dmp");

        await using var stream = XRootDReadStream.Open(XRootDUrl.Parse(url), XRootDStorageTests.Small);
        stream.ReadExactly(new byte[3 << 20]);
        await server.KillAsync();
        server.Put("g.dmp", XRootDStorageTests.RandomBytes(7 << 20, 14));
        await server.RestartAsync();

        var e = Assert.Throws<StorageException>(() => stream.ReadExactly(new byte[5 << 20]));
        Assert.Equal(StorageFailure.Changed, e.Failure);
        Assert.StartsWith($"{url}: the file changed while it was read", e.Message);
    }
}
