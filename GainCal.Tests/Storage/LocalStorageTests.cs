using GainCal.Storage;

namespace GainCal.Tests.Storage;

public class LocalStorageTests
{
    private readonly StorageByLocation _storage = StorageByLocation.Default;

    [Fact]
    public void Lists_reads_and_stats_local_files()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("b.dmp"), [1, 2, 3, 4]);
        Directory.CreateDirectory(dir.File("a"));

        Assert.Equal(["a", "b.dmp"], _storage.List(dir.Path).Select(e => e.Name));
        Assert.Equal([0L, 4L], _storage.List(dir.Path).Select(e => e.Size));
        Assert.Equal(4, _storage.Stat(dir.File("b.dmp"))!.Size);
        Assert.Null(_storage.Stat(dir.File("c")));
        using var s = _storage.OpenRead(dir.File("b.dmp"));
        var copy = new MemoryStream();
        s.CopyTo(copy);
        Assert.Equal([1, 2, 3, 4], copy.ToArray());
    }

    [Fact]
    public void Missing_files_and_directories_are_not_found_naming_the_path()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<StorageException>(() => _storage.OpenRead(dir.File("x.dmp")));
        Assert.Equal((StorageFailure.NotFound, $"{dir.File("x.dmp")}: no such file or directory"), (e.Failure, e.Message));
        e = Assert.Throws<StorageException>(() => _storage.List(dir.File("nodir")));
        Assert.Equal(StorageFailure.NotFound, e.Failure);
        Assert.False(e.IsTransient);
    }

    [Fact]
    public void An_atomic_write_appears_only_on_commit_creates_its_directory_and_replaces_the_old_file()
    {
        using var dir = new TempDirectory();
        var target = dir.File("out/fed/1200.parquet");
        using (var write = _storage.BeginWrite(target))
        {
            write.Stream.Write([9, 9, 9]);
            Assert.False(File.Exists(target));
            Assert.Equal(Path.GetDirectoryName(target), Path.GetDirectoryName(write.TemporaryLocation));
            write.Commit();
        }
        Assert.Equal([9, 9, 9], File.ReadAllBytes(target));
        using (var write = _storage.BeginWrite(target))
        {
            write.Stream.Write([7]);
            write.Commit();
        }
        Assert.Equal([7], File.ReadAllBytes(target));
        using (var abandoned = _storage.BeginWrite(target))
            abandoned.Stream.Write([1, 2]);
        Assert.Equal([7], File.ReadAllBytes(target));
        Assert.Equal(["1200.parquet"], _storage.List(dir.File("out/fed")).Select(e => e.Name));
    }
}
