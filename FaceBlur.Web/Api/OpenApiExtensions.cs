namespace FaceBlur.Web.Api;

public static class OpenApiExtensions
{
    /// <summary>Declares the error envelope for each of the given status codes in the OpenAPI document.</summary>
    public static RouteHandlerBuilder ProducesErrors(this RouteHandlerBuilder builder, params int[] statusCodes)
    {
        foreach (var status in statusCodes)
        {
            builder.Produces<ErrorEnvelope>(status);
        }

        return builder;
    }
}
