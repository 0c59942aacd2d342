using System.Text.Json;

namespace GainCal.Payloads.Conditions;

/// <summary>
/// The metadata file CMS's upload tool (CondCore/Utilities/scripts/uploadConditions.py) takes with a conditions file:
/// JSON beside <c>NAME.db</c> as <c>NAME.txt</c>, the keys its wizard writes (sorted, four-space indent).
/// </summary>
/// <param name="DestinationDatabase">oracle://cms_orcon_prod/CMS_CONDITIONS or oracle://cms_orcoff_prep/CMS_CONDITIONS, the two the tool accepts.</param>
/// <param name="DestinationTags">Tags to append the IOV to (the tool's value per tag is an empty object).</param>
/// <param name="InputTag">The tag to read from the .db file.</param>
/// <param name="Since">First run of validity; null takes the file's IOV (and lets the tool move it to the next safe run).</param>
/// <param name="UserText">The request's description.</param>
public sealed record UploadMetadata(string DestinationDatabase, IReadOnlyList<string> DestinationTags, string InputTag, ulong? Since, string UserText)
{
    public const string Production = "oracle://cms_orcon_prod/CMS_CONDITIONS";
    public const string Preparation = "oracle://cms_orcoff_prep/CMS_CONDITIONS";

    /// <summary>prod / prep, or one of the two connection strings; anything else is refused, as the tool refuses it.</summary>
    public static string Database(string name) => name switch
    {
        "prod" or Production => Production,
        "prep" or Preparation => Preparation,
        _ => throw new ArgumentException($"destination database '{name}': use prod ({Production}) or prep ({Preparation})"),
    };

    /// <summary>The metadata file of a conditions file: same name, extension .txt.</summary>
    public static string PathFor(string dbPath) => Path.ChangeExtension(dbPath, ".txt");

    /// <summary>Writes the JSON beside <paramref name="dbPath"/> and returns its path.</summary>
    public string WriteBeside(string dbPath)
    {
        var path = PathFor(dbPath);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, IndentSize = 4 }))
        {
            json.WriteStartObject();
            json.WriteString("destinationDatabase", DestinationDatabase);
            json.WriteStartObject("destinationTags");
            foreach (var tag in DestinationTags.Order(StringComparer.Ordinal))
            {
                json.WriteStartObject(tag);
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteString("inputTag", InputTag);
            if (Since is { } since) json.WriteNumber("since", since); else json.WriteNull("since");
            json.WriteString("userText", UserText);
            json.WriteEndObject();
        }
        File.WriteAllBytes(path, [.. stream.ToArray(), (byte)'\n']);
        return path;
    }
}
