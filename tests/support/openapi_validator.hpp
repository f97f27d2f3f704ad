#pragma once
// Validates JSON bodies against Atlassian's OpenAPI documents (tests/data/openapi/), so tests can
// check that the simulator's responses and rosterd's requests follow the published schemas.
//
// OpenAPI 3.0 schemas are translated to the JSON Schema RapidJSON understands: `nullable: true`
// becomes a type union with "null" first (and null joins any enum), siblings of `$ref` are
// dropped (OpenAPI ignores them), examples and discriminators are removed, and
// `#/components/schemas/X` references are resolved inside the same document.
//
// Paths may be concrete request paths ("/admin/v2/orgs/<id>/directories/-/users/search", the
// server's path prefix such as "/admin" is stripped, a query string is ignored) or templates
// ("/v2/orgs/{orgId}/directories/{directoryId}/users/search").
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rosterd::test {

class OpenApiDocument {
  public:
    // Loads and parses the document; throws std::runtime_error if unreadable or invalid JSON.
    explicit OpenApiDocument(const std::string& file);
    ~OpenApiDocument();
    OpenApiDocument(const OpenApiDocument&) = delete;
    OpenApiDocument& operator=(const OpenApiDocument&) = delete;

    // The path template a request path matches (most literal segments win), if any; with a
    // method, only templates offering that method count (GET .../users/{userId} and
    // DELETE .../users/{accountId} are different templates).
    std::optional<std::string> match_path(const std::string& path,
                                          const std::string& method = "") const;

    // nullopt if `body` is valid for the response `status` of (path, method); otherwise why not.
    // A status the operation does not document is an error; a documented status without a
    // schema accepts an empty body or any JSON; 204 requires an empty body.
    std::optional<std::string> validate_response(const std::string& path, const std::string& method,
                                                 int status, const std::string& body) const;

    // nullopt if `body` is valid for the operation's JSON request body.
    std::optional<std::string> validate_request(const std::string& path, const std::string& method,
                                                const std::string& body) const;

    // Validates against a named component schema (#/components/schemas/<name>).
    std::optional<std::string> validate_schema(const std::string& schema_name,
                                               const std::string& body) const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Convenience wrappers that cache one OpenApiDocument per file.
std::optional<std::string> validate_against(const std::string& openapi_file,
                                            const std::string& path, const std::string& method,
                                            int status, const std::string& body);
std::optional<std::string> validate_request_against(const std::string& openapi_file,
                                                    const std::string& path,
                                                    const std::string& method,
                                                    const std::string& body);

}  // namespace rosterd::test
