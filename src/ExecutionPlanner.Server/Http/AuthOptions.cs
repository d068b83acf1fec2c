using Microsoft.Extensions.Options;

namespace ExecutionPlanner.Server.Http;

/// <summary>
/// Who may call (configuration section "Auth"): bearer tokens the operator hands out, each mapped to
/// an owner name, and whether callers without a token may use the service as the anonymous owner.
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    public bool AllowAnonymous { get; set; }

    /// <summary>Bearer token -> owner name. Tokens are configuration keys, so use [A-Za-z0-9._-].</summary>
    public Dictionary<string, string> Tokens { get; set; } = [];

    /// <summary>
    /// Owner names (as in <see cref="Tokens"/>) of the operators: the only callers who may open the Hangfire
    /// dashboard at /hangfire. Empty: nobody may.
    /// </summary>
    public List<string> Operators { get; set; } = [];
}

sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions o)
    {
        var errors = new List<string>();
        foreach (var (token, owner) in o.Tokens)
        {
            if (token.Length < 8)
            {
                errors.Add("Auth:Tokens: every token must be at least 8 characters long.");
            }
            if (string.IsNullOrWhiteSpace(owner))
            {
                errors.Add("Auth:Tokens: every token must map to a non-empty owner name.");
            }
            else if (XmlCharacters.IndexOfIllegal(owner) >= 0)
            {
                // The owner name is every one of its jobs' ownerId, and is stored as text.
                errors.Add($"Auth:Tokens: the owner name '{XmlCharacters.Replace(owner)}' holds a character XML 1.0 cannot carry (a control character, U+FFFE, U+FFFF or an unpaired surrogate).");
            }
        }
        foreach (var operatorName in o.Operators.Where(op => !o.Tokens.ContainsValue(op)))
        {
            errors.Add($"Auth:Operators: '{XmlCharacters.Replace(operatorName)}' is the owner of no token in Auth:Tokens, so nobody could sign in as that operator.");
        }
        if (!o.AllowAnonymous && o.Tokens.Count == 0)
        {
            errors.Add("Auth: no tokens are configured and Auth:AllowAnonymous is false, so nobody could call the service.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors.Distinct());
    }
}
