using System.Globalization;
using System.Text.Json.Nodes;
using NJsonSchema;
using NJsonSchema.Validation;

namespace Containment.Playbooks.Validation;

/// <summary>
/// Checks a playbook document against <c>playbooks/playbook.schema.json</c> and turns the validator's
/// error tree into one plain problem per fault, each at the JSON pointer of the offending value.
/// </summary>
public sealed class PlaybookSchema
{
    private const string ResourceName = "Containment.Playbooks.playbook.schema.json";
    private const string ErrorMessageKeyword = "x-error";

    private static readonly Lazy<PlaybookSchema> Shared = new(Load);

    private readonly JsonSchema schema;

    private PlaybookSchema(JsonSchema schema) => this.schema = schema;

    public static PlaybookSchema Instance => Shared.Value;

    /// <summary>The schema text, as shipped.</summary>
    public static string Text { get; } = ReadResource();

    /// <summary>Validates <paramref name="json"/>, already known to be well-formed JSON.</summary>
    public IReadOnlyList<(string Pointer, string Message)> Validate(string json, JsonNode? document)
    {
        var problems = new List<(string Pointer, string Message)>();
        OutOfRangeIntegers(document, string.Empty, problems);
        if (problems.Count > 0)
        {
            return problems;
        }

        Flatten(schema.Validate(json), document, problems);
        return problems.Distinct().ToList();
    }

    // The validator reads the document with Newtonsoft, which takes an integer past Int64 as a BigInteger that its
    // number checks then fail to convert (InvalidCastException): such a value is reported here instead.
    private static void OutOfRangeIntegers(JsonNode? node, string pointer, List<(string, string)> problems)
    {
        switch (node)
        {
            case JsonObject members:
                foreach (var (name, member) in members)
                {
                    OutOfRangeIntegers(member, JsonPointer.Append(pointer, name), problems);
                }

                break;
            case JsonArray items:
                for (var index = 0; index < items.Count; index++)
                {
                    OutOfRangeIntegers(items[index], JsonPointer.Append(pointer, index), problems);
                }

                break;
            case JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.Number:
                var text = value.ToJsonString();
                if (text.All(c => char.IsAsciiDigit(c) || c == '-') && !long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                {
                    problems.Add((pointer.Length == 0 ? JsonPointer.Root : pointer, $"{text} is out of range: a playbook's whole numbers lie within ±{long.MaxValue}"));
                }

                break;
        }
    }

    private static void Flatten(IEnumerable<ValidationError> errors, JsonNode? document, List<(string, string)> problems)
    {
        foreach (var error in errors)
        {
            if (error is ChildSchemaValidationError child)
            {
                FlattenChild(child, document, problems);
            }
            else
            {
                problems.Add(Describe(error, document));
            }
        }
    }

    private static void FlattenChild(ChildSchemaValidationError error, JsonNode? document, List<(string, string)> problems)
    {
        if (error.Kind != ValidationErrorKind.NotOneOf)
        {
            foreach (var childErrors in error.Errors.Values)
            {
                Flatten(childErrors, document, problems);
            }

            return;
        }

        // A step is one of several shapes chosen by its "type": report the faults of the shape it names.
        // An unknown or missing type is reported by the step's own "type" check, so nothing is added here.
        var pointer = JsonPointer.FromSchemaPath(error.Path);
        var type = (JsonPointer.Find(document, pointer) as JsonObject)?["type"]?.GetValueKind() == System.Text.Json.JsonValueKind.String
            ? (string?)JsonPointer.Find(document, pointer)!["type"]
            : null;
        foreach (var (branch, branchErrors) in error.Errors)
        {
            if (type is not null && branch.ActualSchema.Properties.TryGetValue("type", out var typeSchema)
                && typeSchema.ActualSchema.Enumeration.Contains(type))
            {
                Flatten(branchErrors, document, problems);
            }
        }
    }

    private static (string Pointer, string Message) Describe(ValidationError error, JsonNode? document)
    {
        var pointer = JsonPointer.FromSchemaPath(error.Path);
        var value = JsonPointer.Find(document, pointer);
        var shown = Show(value);
        return error.Kind switch
        {
            ValidationErrorKind.PropertyRequired =>
                (JsonPointer.Parent(pointer), $"missing required field '{error.Property}'"),
            ValidationErrorKind.NoAdditionalPropertiesAllowed =>
                (pointer, $"unknown field '{error.Property}'{Expected(error.Schema)}"),
            ValidationErrorKind.NotInEnumeration =>
                (pointer, $"{shown} is not one of: {string.Join(", ", error.Schema.ActualSchema.Enumeration)}"),
            ValidationErrorKind.PatternMismatch => (pointer, error.Schema.ActualSchema.ExtensionData?.TryGetValue(ErrorMessageKeyword, out var custom) == true
                ? $"{shown} {custom}"
                : $"{shown} does not match the pattern {error.Schema.ActualSchema.Pattern}"),
            ValidationErrorKind.StringExpected => (pointer, $"expected a string, got {shown}"),
            ValidationErrorKind.BooleanExpected => (pointer, $"expected true or false, got {shown}"),
            ValidationErrorKind.IntegerExpected => (pointer, $"expected a whole number, got {shown}"),
            ValidationErrorKind.NumberExpected => (pointer, $"expected a number, got {shown}"),
            ValidationErrorKind.ArrayExpected => (pointer, $"expected an array, got {shown}"),
            ValidationErrorKind.ObjectExpected => (pointer, $"expected an object, got {shown}"),
            ValidationErrorKind.StringTooShort => (pointer, "must not be empty"),
            ValidationErrorKind.TooFewItems => (pointer, $"needs at least {error.Schema.ActualSchema.MinItems} item(s)"),
            ValidationErrorKind.TooFewProperties => (pointer, $"needs at least {error.Schema.ActualSchema.MinProperties} field(s)"),
            ValidationErrorKind.NumberTooSmall => (pointer, $"{shown} is below the minimum {Number(error.Schema.ActualSchema.Minimum)}"),
            ValidationErrorKind.NumberTooBig => (pointer, $"{shown} is above the maximum {Number(error.Schema.ActualSchema.Maximum)}"),
            ValidationErrorKind.IntegerTooBig => (pointer, $"{shown} is above the maximum {Number(error.Schema.ActualSchema.Maximum)}"),
            _ => (pointer, $"{shown} is not valid here ({error.Kind})"),
        };
    }

    private static string Expected(JsonSchema? parent)
    {
        var names = parent?.ActualSchema.Properties.Keys.Where(name => !name.StartsWith('$')).ToList();
        return names is { Count: > 0 } ? $"; expected one of: {string.Join(", ", names)}" : string.Empty;
    }

    private static string Number(decimal? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "?";

    private static string Show(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "an array",
        _ => value.ToJsonString(),
    };

    private static PlaybookSchema Load() =>
        new(JsonSchema.FromJsonAsync(Text).GetAwaiter().GetResult());

    private static string ReadResource()
    {
        using var stream = typeof(PlaybookSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the embedded resource {ResourceName} is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
