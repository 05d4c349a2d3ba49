using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace FaceBlur.Modules.Processing;

/// <summary>Media limits of the processing core, bound from the SPEC's settings.</summary>
public sealed class ProcessingOptions : IValidatableObject
{
    /// <summary>Decoded size limit in megapixels (decompression bombs are refused before decoding).</summary>
    [ConfigurationKeyName("MAX_IMAGE_MEGAPIXELS")]
    public double MaxImageMegapixels { get; set; } = 50;

    /// <summary>The rules of <see cref="Validate()"/>, for the options validation every module registers.</summary>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext) =>
        Validate().Select(problem => new ValidationResult(problem));

    public IEnumerable<string> Validate()
    {
        if (!(MaxImageMegapixels > 0) || double.IsInfinity(MaxImageMegapixels))
        {
            yield return "MAX_IMAGE_MEGAPIXELS must be a positive number.";
        }
    }
}
