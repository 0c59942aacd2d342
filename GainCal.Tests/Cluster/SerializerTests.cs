using System.Reflection;
using Akka.Serialization;
using GainCal.Cluster;
using MessagePack;

namespace GainCal.Tests.Cluster;

public class SerializerTests
{
    [Fact]
    public void Every_message_type_has_a_unique_short_manifest()
    {
        var types = GainCalSerializer.MessageTypes().ToList();
        Assert.True(types.Count >= 25, $"only {types.Count} message types found");
        Assert.Equal(types.Count, GainCalSerializer.TypesByManifest.Count);
        Assert.All(GainCalSerializer.TypesByManifest.Keys, m => Assert.InRange(m.Length, 3, 24));
        Assert.All(types, t => Assert.NotNull(t.GetCustomAttribute<MessagePackObjectAttribute>()));
    }

    [Fact]
    public async Task Every_message_type_round_trips_through_the_bound_serializer_of_a_real_node()
    {
        using var dir = new TempDir();
        await using var node = await InProcessNode.StartAsync(dir.Path);
        var serialization = node.System.Serialization;
        var seed = 1;
        foreach (var type in GainCalSerializer.MessageTypes())
        {
            var original = Fabricate(type, ref seed);
            var serializer = serialization.FindSerializerFor(original);
            Assert.IsType<GainCalSerializer>(serializer);
            var bytes = serializer.ToBinary(original);
            var manifest = Serialization.ManifestFor(serializer, original);
            var back = serialization.Deserialize(bytes, serializer.Identifier, manifest);
            Assert.IsType(type, back);
            // Records with arrays do not compare by value; equal bytes on re-serialization do.
            Assert.Equal(bytes, serializer.ToBinary(back));
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(original, type), System.Text.Json.JsonSerializer.Serialize(back, type));
        }
    }

    [Fact]
    public void Distinct_values_give_distinct_bytes_so_the_round_trip_test_can_fail()
    {
        var a = new FedProgress(1, 1200, 1, 1, "n", false, 10, 100, 5, 1, 7);
        var b = a with { PixelsFitted = 8 };
        Assert.NotEqual(MessagePackSerializer.Serialize(a), MessagePackSerializer.Serialize(b));
        Assert.Equal(b, MessagePackSerializer.Deserialize<FedProgress>(MessagePackSerializer.Serialize(b)));
    }

    /// <summary>An instance with a different, non-default value in every constructor parameter (recursively).</summary>
    static object Fabricate(Type type, ref int seed)
    {
        var ctor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        var args = new List<object?>();
        foreach (var p in ctor.GetParameters()) args.Add(Value(p.ParameterType, ref seed));
        return ctor.Invoke(args.ToArray());
    }

    static object? Value(Type t, ref int seed)
    {
        seed++;
        if (t == typeof(string)) return $"text-{seed}/é";
        if (t == typeof(int)) return 1000 + seed;
        if (t == typeof(uint)) return (uint)(400000 + seed);
        if (t == typeof(long)) return 10_000_000_000L + seed;
        if (t == typeof(bool)) return seed % 2 == 0;
        if (t == typeof(double)) return seed + 0.25;
        if (t.IsEnum) return Enum.GetValues(t).GetValue(seed % Enum.GetValues(t).Length);
        if (Nullable.GetUnderlyingType(t) is { } u) return Value(u, ref seed);
        if (t.IsArray)
        {
            var e = t.GetElementType()!;
            var arr = Array.CreateInstance(e, 2);
            arr.SetValue(Value(e, ref seed), 0);
            arr.SetValue(Value(e, ref seed), 1);
            return arr;
        }
        return Fabricate(t, ref seed);
    }
}
