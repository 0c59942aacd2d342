using System.Collections.Frozen;
using System.Reflection;
using Akka.Actor;
using Akka.Serialization;
using MessagePack;

namespace GainCal.Cluster;

/// <summary>The one serializer of every <see cref="IGainCalMessage"/>: MessagePack bytes, and the type's
/// short <see cref="ManifestAttribute"/> name as manifest.</summary>
public sealed class GainCalSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int Id = 7301;

    // Bytes may come from another process: refuse object graphs deeper or larger than a message can be.
    static readonly MessagePackSerializerOptions Options =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>Every message type by manifest; built once from the marker interface so none can be forgotten.</summary>
    public static readonly FrozenDictionary<string, Type> TypesByManifest = BuildTypeMap();

    static readonly FrozenDictionary<Type, string> ManifestsByType =
        TypesByManifest.ToFrozenDictionary(kv => kv.Value, kv => kv.Key);

    public override int Identifier => Id;

    public override string Manifest(object o) =>
        ManifestsByType.TryGetValue(o.GetType(), out var m)
            ? m
            : throw new ArgumentException($"{o.GetType()} is not a GainCal message");

    public override byte[] ToBinary(object obj) => MessagePackSerializer.Serialize(obj.GetType(), obj, Options);

    public override object FromBinary(byte[] bytes, string manifest) =>
        TypesByManifest.TryGetValue(manifest, out var type)
            ? MessagePackSerializer.Deserialize(type, bytes, Options)!
            : throw new System.Runtime.Serialization.SerializationException($"unknown GainCal message manifest '{manifest}'");

    /// <summary>The concrete message types (public, implementing the marker interface).</summary>
    public static IEnumerable<Type> MessageTypes() =>
        typeof(IGainCalMessage).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IGainCalMessage).IsAssignableFrom(t));

    static FrozenDictionary<string, Type> BuildTypeMap()
    {
        var map = new Dictionary<string, Type>();
        foreach (var t in MessageTypes())
        {
            var name = t.GetCustomAttribute<ManifestAttribute>()?.Name
                       ?? throw new InvalidOperationException($"{t} implements IGainCalMessage but has no [Manifest]");
            if (!map.TryAdd(name, t))
                throw new InvalidOperationException($"manifest '{name}' used by both {map[name]} and {t}");
        }
        return map.ToFrozenDictionary();
    }
}
