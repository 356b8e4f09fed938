namespace Containment.Local.Hosting;

/// <summary>
/// A settings file that cannot be read as settings: the user's to mend, so the CLI prints the message alone. Kept apart
/// from <see cref="InvalidDataException"/>, which a corrupt stored row also throws and which is no user's typo.
/// </summary>
public sealed class SettingsFileException(string message, Exception? inner = null) : Exception(message, inner);
