using GainCal.Results;
using GainCal.Storage;

namespace GainCal.Tests.Storage;

/// <summary>One server for the class; each test uses its own directory.</summary>
public sealed class XRootDServerFixture : IAsyncLifetime
{
    public XRootDTestServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await XRootDTestServer.StartAsync();

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>The managed XRootD client against Debian's real xrootd server on 127.0.0.1.</summary>
[Trait("Category", "Slow")]
public class XRootDStorageTests(XRootDServerFixture fixture) : IClassFixture<XRootDServerFixture>
{
    internal static readonly XRootDOptions Small = new() { ChunkBytes = 1 << 20, ResumeWindow = TimeSpan.FromSeconds(30), ConnectTimeout = TimeSpan.FromSeconds(5) };
    private readonly XRootDTestServer _server = fixture.Server;
    private readonly XRootDStorage _storage = new(Small);

    internal static byte[] RandomBytes(int n, int seed)
    {
        var bytes = new byte[n];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void Lists_a_directory_with_sizes_and_subdirectories()
    {
        _server.Put("run/GainCalibration_1200_400000.dmp", RandomBytes(1000, 1));
        _server.Put("run/GainCalibration_1201_400000.dmp", RandomBytes(2500, 2));
        _server.Put("run/sub/x.txt", [1, 2, 3]);

        var entries = _storage.List(_server.Url("run"));

        Assert.Equal(["GainCalibration_1200_400000.dmp", "GainCalibration_1201_400000.dmp", "sub"], entries.Select(e => e.Name));
        Assert.Equal([1000L, 2500L], entries.Take(2).Select(e => e.Size));
        Assert.Equal([false, false, true], entries.Select(e => e.IsDirectory));
        Assert.Equal(_server.Url("run/GainCalibration_1201_400000.dmp"), entries[1].Location);
    }

    [Fact]
    public void Reads_a_whole_file_in_many_chunks_byte_for_byte()
    {
        var content = RandomBytes((5 << 20) + 12345, 3);
        _server.Put("d/whole.dmp", content);

        using var stream = _storage.OpenRead(_server.Url("d/whole.dmp"));
        var copy = new MemoryStream();
        stream.CopyTo(copy, 77777);

        Assert.Equal(content.Length, stream.Length);
        Assert.Equal(content, copy.ToArray());
    }

    [Fact]
    public void Reads_from_an_offset_after_seeking_backwards_and_forwards()
    {
        var content = RandomBytes(3 << 20, 4);
        _server.Put("seek.bin", content);

        using var stream = _storage.OpenRead(_server.Url("seek.bin"));
        var buffer = new byte[1000];
        foreach (var offset in new long[] { 2_500_000, 17, (3 << 20) - 500, 1_048_570 })
        {
            stream.Position = offset;
            var n = stream.ReadAtLeast(buffer, (int)Math.Min(buffer.Length, content.Length - offset), throwOnEndOfStream: false);
            Assert.Equal(content.AsSpan((int)offset, n).ToArray(), buffer[..n]);
        }
        stream.Seek(-10, SeekOrigin.End);
        Assert.Equal(10, stream.ReadAtLeast(buffer, 10, throwOnEndOfStream: false));
        Assert.Equal(0, stream.Read(buffer));
    }

    [Theory]
    [InlineData(16)]
    [InlineData(1)]
    public void Pipelined_reads_of_mixed_sizes_with_skips_and_seeks_give_the_file_byte_for_byte(int readsInFlight)
    {
        // Small requests, so that many are in flight and every answer boundary is crossed by reads of all sizes.
        var content = RandomBytes((3 << 20) + 4321, 9);
        _server.Put($"pipe{readsInFlight}.bin", content);
        using var stream = XRootDReadStream.Open(XRootDUrl.Parse(_server.Url($"pipe{readsInFlight}.bin")),
            Small with { ChunkBytes = 64 << 10, ReadsInFlight = readsInFlight });
        var random = new Random(10);
        var buffer = new byte[300_000];
        while (stream.Position < content.Length)
        {
            var at = stream.Position;
            switch (random.Next(6))
            {
                case 0:   // a skip ahead, within what is already asked for or beyond it
                    stream.Position = Math.Min(content.Length, at + random.Next(1, 400_000));
                    continue;
                case 1:   // back into what was just read
                    stream.Position = Math.Max(0, at - random.Next(1, 70_000));
                    break;
            }
            at = stream.Position;
            var want = random.Next(2) == 0 ? random.Next(1, 5000) : random.Next(65_536, buffer.Length);
            var n = stream.ReadAtLeast(buffer.AsSpan(0, want), want, throwOnEndOfStream: false);
            Assert.Equal((int)Math.Min(want, content.Length - at), n);
            Assert.True(content.AsSpan((int)at, n).SequenceEqual(buffer.AsSpan(0, n)), $"bytes at {at} (+{n}) differ");
        }
        Assert.Equal(0, stream.Read(buffer));
        Assert.Equal(0, stream.Resumes);
    }

    [Fact]
    public void A_missing_file_is_not_found_naming_the_url()
    {
        var url = _server.Url("nowhere/GainCalibration_1200_1.dmp");

        var e = Assert.Throws<StorageException>(() => _storage.OpenRead(url));

        Assert.Equal(StorageFailure.NotFound, e.Failure);
        Assert.StartsWith(url + ": no such file", e.Message);
        Assert.Null(_storage.Stat(url));
    }

    [Fact]
    public void An_unreadable_file_is_permission_denied()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName == "xrootd") return;   // needs a server user other than ours
        var path = _server.Put("secret.dmp", [1, 2, 3]);
        File.SetUnixFileMode(path, UnixFileMode.None);

        var e = Assert.Throws<StorageException>(() => _storage.OpenRead(_server.Url("secret.dmp")));

        Assert.Equal(StorageFailure.PermissionDenied, e.Failure);
        Assert.StartsWith(_server.Url("secret.dmp") + ": permission denied", e.Message);
    }

    [Fact]
    public void A_server_that_is_down_is_unreachable_naming_the_url()
    {
        var port = Cluster.FreePorts.Take(1)[0];
        var url = $"root://127.0.0.1:{port}//run/GainCalibration_1200_1.dmp";

        var e = Assert.Throws<StorageException>(() => _storage.OpenRead(url));

        Assert.Equal(StorageFailure.ServerUnreachable, e.Failure);
        Assert.True(e.IsTransient);
        Assert.Equal($"{url}: no XRootD server answers at 127.0.0.1:{port} (connection refused)", e.Message);
        Assert.Throws<StorageException>(() => _storage.List($"root://127.0.0.1:{port}//run"));
    }

    [Fact]
    public void An_atomic_write_is_visible_only_after_commit_and_replaces_the_old_file()
    {
        var url = _server.Url("out/fed/1200.parquet");
        var first = RandomBytes((2 << 20) + 3, 5);
        using (var write = _storage.BeginWrite(url))
        {
            write.Stream.Write(first, 0, 1 << 20);
            Assert.Null(_storage.Stat(url));
            write.Stream.Write(first, 1 << 20, first.Length - (1 << 20));
            Assert.Equal(first.Length, write.Stream.Position);
            Assert.Equal([XRootDUrl.Parse(write.TemporaryLocation).Name], _storage.List(_server.Url("out/fed")).Select(e => e.Name));
            Assert.StartsWith("1200.parquet.tmp-", XRootDUrl.Parse(write.TemporaryLocation).Name);
            Assert.Null(_storage.Stat(url));
            write.Commit();
        }
        Assert.Equal(first, File.ReadAllBytes(Path.Combine(_server.Root, "out/fed/1200.parquet")));

        var second = RandomBytes(100, 6);
        using (var write = _storage.BeginWrite(url))
        {
            write.Stream.Write(second);
            write.Commit();
        }
        Assert.Equal(second, File.ReadAllBytes(Path.Combine(_server.Root, "out/fed/1200.parquet")));
        Assert.Equal(["1200.parquet"], _storage.List(_server.Url("out/fed")).Select(e => e.Name));
    }

    [Fact]
    public async Task A_results_table_written_through_an_atomic_write_reads_back_through_the_stream()
    {
        var table = new PixelTable(400000, 30000);
        for (var i = 0; i < table.RowCount; i++)
        {
            table.Fed[i] = 1296;
            table.Roc[i] = (byte)(1 + i % 16);
            table.Gain[i] = i * 0.37f;
            table.Pedestal[i] = -i * 0.01f;
            table.Probability[i] = i % 11 == 0 ? float.NaN : 0.5f;
        }
        var url = _server.Url("products/fed/1296.parquet");
        using (var write = _storage.BeginWrite(url))
        {
            await PixelTableParquet.WriteAsync(table, write.Stream);
            write.Commit();
        }

        using var stream = _storage.OpenRead(url);
        var back = await PixelTableParquet.ReadAsync(stream);
        Assert.True(back.ContentEquals(table), "the table read back over XRootD differs from the one written");
    }

    [Fact]
    public void An_abandoned_write_leaves_neither_the_file_nor_its_temporary()
    {
        var url = _server.Url("abandoned/product.json");
        using (var write = _storage.BeginWrite(url))
            write.Stream.Write(RandomBytes(5000, 7));

        Assert.Empty(_storage.List(_server.Url("abandoned")));
    }

    [Fact]
    public void A_fed_calibrated_from_its_xrootd_url_gives_the_table_of_the_local_file()
    {
        using var dir = new TempDirectory();
        var local = dir.File("GainCalibration_1296_9.dmp");
        var setup = GainCal.Calibration.FedCalibrationSetup.Default;
        GainCal.Simulation.FedSimulator.Write(local, 1296, setup, new GainCal.Simulation.SimulationOptions { Run = 9, Seed = 3, RocsPerFed = 2 });
        var url = _server.Url("fedrun/GainCalibration_1296_9.dmp");
        _server.Put("fedrun/GainCalibration_1296_9.dmp", File.ReadAllBytes(local));

        var expected = new FedPipeline(setup).Run(local);
        var remote = new FedPipeline(setup, new FedPipelineOptions { Decoders = 2 }).Run(url, expected: new ExpectedFed(9, 1296));

        Assert.True(expected.Table.ContentEquals(remote.Table), "the table read over XRootD differs from the local one");
        Assert.Equal(1296, remote.Fed);
        Assert.True(remote.Report.Contains(url, StringComparison.Ordinal), remote.Report);
    }

    [Fact]
    public void Create_lists_the_dumps_of_an_xrootd_directory_under_an_allowed_url_root_and_refuses_one_outside()
    {
        using var dir = new TempDirectory();
        _server.Put("scan/runA/GainCalibration_1200_400000.dmp", [1]);
        _server.Put("scan/runA/GainCalibration_1296_400000.dmp", [1]);
        _server.Put("scan/runA/GainCalibration_1297_399999.dmp", [1]);
        var allowed = new GainCal.Cluster.PathConfinement([_server.Url("scan"), dir.Path]);

        var create = GainCal.Cluster.RunInput.Scan(400000, _server.Url("scan/runA"), dir.Path, null, false, allowed, out _);

        Assert.Equal([1200, 1296], create.Feds);
        Assert.Equal(_server.Url("scan/runA"), create.InputDir);
        var outside = new GainCal.Cluster.PathConfinement([_server.Url("elsewhere"), dir.Path]);
        var e = Assert.Throws<InvalidDataException>(() => GainCal.Cluster.RunInput.Scan(400000, _server.Url("scan/runA"), dir.Path, null, false, outside, out _));
        Assert.Contains("outside this node's allowed data roots", e.Message);
        var missing = Assert.Throws<InvalidDataException>(() => GainCal.Cluster.RunInput.Scan(400000, _server.Url("scan/none"), dir.Path, null, false, allowed, out _));
        Assert.Contains("input directory does not exist", missing.Message);
    }
}
