using Newtonsoft.Json;

namespace ArrayDictOrleans.Client.Bench;

/// <summary>
/// What a user of Orleans' default (Newtonsoft) JSON grain storage writes to persist an <see cref="ArrayDict"/>, which
/// Newtonsoft cannot serialize as it is (its state is private, its raw views are spans): a converter to
/// <c>{"width":W,"keys":[...],"values":[...]}</c>, the keys and the row-major values of the rows in use.
/// Registered in <c>OrleansJsonSerializerOptions.JsonSerializerSettings</c> for the benchmark's <c>orleans-json-snapshots</c>.
/// </summary>
internal sealed class ArrayDictNewtonsoftConverter : JsonConverter<ArrayDict>
{
    public override void WriteJson(JsonWriter writer, ArrayDict? value, JsonSerializer serializer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is null)
        {
            writer.WriteNull();
            return;
        }

        writer.WriteStartObject();
        writer.WritePropertyName("width");
        writer.WriteValue(value.Width);
        writer.WritePropertyName("keys");
        writer.WriteStartArray();
        foreach (var entry in value)
        {
            writer.WriteValue(entry.Key);
        }

        writer.WriteEndArray();
        writer.WritePropertyName("values");
        writer.WriteStartArray();
        foreach (var entry in value)
        {
            foreach (double v in entry.Values)
            {
                writer.WriteValue(v);
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public override ArrayDict? ReadJson(JsonReader reader, Type objectType, ArrayDict? existingValue, bool hasExistingValue, JsonSerializer serializer)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (reader.TokenType == JsonToken.Null)
        {
            return null;
        }

        int width = 1;
        List<long> keys = [];
        List<double> values = [];
        while (reader.Read() && reader.TokenType == JsonToken.PropertyName)
        {
            string name = (string)reader.Value!;
            reader.Read();
            switch (name)
            {
                case "width":
                    width = Convert.ToInt32(reader.Value, System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "keys":
                    while (reader.Read() && reader.TokenType != JsonToken.EndArray)
                    {
                        keys.Add(Convert.ToInt64(reader.Value, System.Globalization.CultureInfo.InvariantCulture));
                    }

                    break;
                case "values":
                    while (reader.Read() && reader.TokenType != JsonToken.EndArray)
                    {
                        values.Add(Convert.ToDouble(reader.Value, System.Globalization.CultureInfo.InvariantCulture));
                    }

                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        var dict = new ArrayDict(width, keys.Count);
        var all = values.ToArray();
        for (int i = 0; i < keys.Count; i++)
        {
            dict.Add(keys[i], all.AsSpan(i * width, width));
        }

        return dict;
    }
}
