#pragma once
// Request parameters read the same way from a JSON body (POST search) or from a query string
// (deprecated GETs, counts). Query arrays accept both repeated (a=1&a=2) and comma-separated
// (a=1,2) forms. Type errors throw BadRequest, answered 400.
#include <httplib.h>
#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rosterd::sim {

struct BadRequest : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct SortSpec {
    std::string field;
    bool descending = false;
};

class FieldSource {
  public:
    virtual ~FieldSource() = default;
    virtual bool has(const char* name) const = 0;
    virtual std::optional<std::vector<std::string>> strings(const char* name) const = 0;
    virtual std::optional<std::string> string(const char* name) const = 0;
    virtual std::optional<bool> boolean(const char* name) const = 0;
    virtual std::optional<std::int64_t> integer(const char* name) const = 0;
    virtual std::optional<std::vector<SortSpec>> sort(const char* name) const = 0;
};

class JsonFields final : public FieldSource {
  public:
    explicit JsonFields(const rapidjson::Value& object) : object_(object) {}
    bool has(const char* name) const override;
    std::optional<std::vector<std::string>> strings(const char* name) const override;
    std::optional<std::string> string(const char* name) const override;
    std::optional<bool> boolean(const char* name) const override;
    std::optional<std::int64_t> integer(const char* name) const override;
    std::optional<std::vector<SortSpec>> sort(const char* name) const override;

  private:
    const rapidjson::Value* find(const char* name) const;
    const rapidjson::Value& object_;
};

class QueryFields final : public FieldSource {
  public:
    explicit QueryFields(const httplib::Params& params) : params_(params) {}
    bool has(const char* name) const override;
    std::optional<std::vector<std::string>> strings(const char* name) const override;
    std::optional<std::string> string(const char* name) const override;
    std::optional<bool> boolean(const char* name) const override;
    std::optional<std::int64_t> integer(const char* name) const override;
    // "field", "field:asc" or "field:desc"
    std::optional<std::vector<SortSpec>> sort(const char* name) const override;

  private:
    const httplib::Params& params_;
};

// Checks a list against the API's maximum item count (400 beyond it, and for empty lists).
void check_list_size(const char* name, const std::vector<std::string>& values, std::size_t max);

// Reads `cursor`; an empty one ("cursor=" on a first page) counts as none.
std::optional<std::string> read_cursor(const FieldSource& fields);

// Reads `limit`, applying the default and the allowed range.
int read_limit(const FieldSource& fields, int default_limit, int max_limit);

}  // namespace rosterd::sim
