#include "openapi_validator.hpp"

#include <rapidjson/document.h>
#include <rapidjson/pointer.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>

namespace rosterd::test {

namespace {

using rapidjson::Value;
using Allocator = rapidjson::Document::AllocatorType;

constexpr std::string_view kSchemaRefPrefix = "#/components/schemas/";

std::string to_json(const Value& value) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    value.Accept(writer);
    return std::string(buffer.GetString(), buffer.GetSize());
}

std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> segments;
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t slash = path.find('/', start);
        if (slash == std::string_view::npos)
            slash = path.size();
        if (slash > start)
            segments.emplace_back(path.substr(start, slash - start));
        start = slash + 1;
    }
    return segments;
}

bool is_keyword_to_drop(std::string_view name) {
    return name == "example" || name == "examples" || name == "discriminator" || name == "xml" ||
           name == "externalDocs" || name == "deprecated" || name == "readOnly" ||
           name == "writeOnly" || name == "description" || name == "nullable";
}

// Translates one OpenAPI 3.0 schema into JSON Schema that RapidJSON validates, collecting the
// component schemas it references.
class SchemaTranslator {
  public:
    SchemaTranslator(Allocator& allocator, std::set<std::string>& refs)
        : allocator_(allocator), refs_(refs) {}

    Value translate(const Value& in) {
        Value out;
        if (!in.IsObject()) {
            out.CopyFrom(in, allocator_);
            return out;
        }
        bool nullable =
            in.HasMember("nullable") && in["nullable"].IsBool() && in["nullable"].GetBool();
        if (in.HasMember("$ref") && in["$ref"].IsString()) {
            // OpenAPI 3.0 ignores the siblings of $ref (one spec schema even has "type":
            // "GroupCounts").
            std::string ref = in["$ref"].GetString();
            if (ref.starts_with(kSchemaRefPrefix))
                refs_.insert(ref.substr(kSchemaRefPrefix.size()));
            Value ref_object(rapidjson::kObjectType);
            ref_object.AddMember("$ref", Value(ref.c_str(), allocator_), allocator_);
            return nullable ? or_null(std::move(ref_object)) : std::move(ref_object);
        }
        out.SetObject();
        for (const auto& member : in.GetObject()) {
            std::string_view name(member.name.GetString(), member.name.GetStringLength());
            if (is_keyword_to_drop(name))
                continue;
            Value key(member.name, allocator_);
            if (name == "properties" && member.value.IsObject()) {
                Value properties(rapidjson::kObjectType);
                for (const auto& property : member.value.GetObject()) {
                    properties.AddMember(Value(property.name, allocator_),
                                         translate(property.value), allocator_);
                }
                out.AddMember(key, properties, allocator_);
            } else if ((name == "items" || name == "additionalProperties" || name == "not") &&
                       member.value.IsObject()) {
                out.AddMember(key, translate(member.value), allocator_);
            } else if ((name == "allOf" || name == "anyOf" || name == "oneOf") &&
                       member.value.IsArray()) {
                Value list(rapidjson::kArrayType);
                for (const auto& item : member.value.GetArray())
                    list.PushBack(translate(item), allocator_);
                out.AddMember(key, list, allocator_);
            } else if (name == "pattern" && member.value.IsString()) {
                // A published pattern ends in a stray newline; trim it rather than fail every id.
                std::string pattern = member.value.GetString();
                while (!pattern.empty() &&
                       std::isspace(static_cast<unsigned char>(pattern.back()))) {
                    pattern.pop_back();
                }
                out.AddMember(key, Value(pattern.c_str(), allocator_), allocator_);
            } else {
                Value copy;
                copy.CopyFrom(member.value, allocator_);
                out.AddMember(key, copy, allocator_);
            }
        }
        if (!nullable)
            return out;
        // nullable: a type union with "null" first, and null joins any enum.
        if (out.HasMember("type") && out["type"].IsString()) {
            Value types(rapidjson::kArrayType);
            types.PushBack(Value("null", allocator_), allocator_);
            types.PushBack(Value(out["type"].GetString(), allocator_), allocator_);
            out["type"] = types;
            if (out.HasMember("enum") && out["enum"].IsArray())
                out["enum"].PushBack(Value(), allocator_);
            return out;
        }
        return or_null(std::move(out));
    }

  private:
    Value or_null(Value schema) {
        Value null_type(rapidjson::kObjectType);
        null_type.AddMember("type", Value("null", allocator_), allocator_);
        Value any_of(rapidjson::kArrayType);
        any_of.PushBack(null_type, allocator_);
        any_of.PushBack(schema, allocator_);
        Value out(rapidjson::kObjectType);
        out.AddMember("anyOf", any_of, allocator_);
        return out;
    }

    Allocator& allocator_;
    std::set<std::string>& refs_;
};

struct CompiledSchema {
    rapidjson::Document source;
    std::unique_ptr<rapidjson::SchemaDocument> schema;
};

std::string pointer_text(const rapidjson::Pointer& pointer) {
    rapidjson::StringBuffer buffer;
    pointer.StringifyUriFragment(buffer);
    return buffer.GetString();
}

}  // namespace

struct OpenApiDocument::Impl {
    rapidjson::Document doc;
    std::string server_prefix;
    std::vector<std::string> templates;
    std::mutex mutex;
    std::map<std::string, std::unique_ptr<CompiledSchema>> cache;

    const Value* resolve(const Value* value) const {
        // Follows $ref to other parts of the document (responses, request bodies).
        for (int depth = 0; value && value->IsObject() && value->HasMember("$ref") && depth < 8;
             ++depth) {
            const Value& ref = (*value)["$ref"];
            if (!ref.IsString() || ref.GetString()[0] != '#')
                return nullptr;
            value = rapidjson::Pointer(ref.GetString() + 1).Get(doc);
        }
        return value;
    }

    // The template `path` matches (most literal segments win), among the templates offering
    // `lower_method` (any method if empty).
    std::optional<std::string> match(const std::string& path,
                                     const std::string& lower_method) const;
    const Value* operation(const std::string& path, const std::string& method,
                           std::string& template_out, std::string& error) const;

    // The JSON schema of a response or request body object (content -> application/json -> schema).
    const Value* json_schema(const Value* holder) const {
        holder = resolve(holder);
        if (!holder || !holder->IsObject() || !holder->HasMember("content"))
            return nullptr;
        const Value& content = (*holder)["content"];
        for (const auto& type : content.GetObject()) {
            std::string_view name = type.name.GetString();
            if (name.find("json") != std::string_view::npos && type.value.HasMember("schema")) {
                return &type.value["schema"];
            }
        }
        return nullptr;
    }

    const CompiledSchema& compile(const std::string& cache_key, const Value& schema) {
        std::lock_guard lock(mutex);
        auto found = cache.find(cache_key);
        if (found != cache.end())
            return *found->second;
        auto compiled = std::make_unique<CompiledSchema>();
        Allocator& a = compiled->source.GetAllocator();
        std::set<std::string> refs;
        SchemaTranslator translator(a, refs);
        Value root = translator.translate(schema);
        // Pull in every component schema reachable from the root.
        Value schemas(rapidjson::kObjectType);
        std::set<std::string> done;
        const Value& components = doc["components"]["schemas"];
        while (true) {
            auto next = std::find_if(refs.begin(), refs.end(),
                                     [&](const std::string& r) { return !done.contains(r); });
            if (next == refs.end())
                break;
            std::string name = *next;
            done.insert(name);
            if (!components.HasMember(name.c_str()))
                continue;
            Value translated = translator.translate(components[name.c_str()]);
            schemas.AddMember(Value(name.c_str(), a), translated, a);
        }
        compiled->source.SetObject();
        Value all_of(rapidjson::kArrayType);
        all_of.PushBack(root, a);
        compiled->source.AddMember("allOf", all_of, a);
        Value components_out(rapidjson::kObjectType);
        components_out.AddMember("schemas", schemas, a);
        compiled->source.AddMember("components", components_out, a);
        compiled->schema = std::make_unique<rapidjson::SchemaDocument>(compiled->source);
        return *cache.emplace(cache_key, std::move(compiled)).first->second;
    }

    std::optional<std::string> validate(const std::string& cache_key, const Value& schema,
                                        const std::string& body) {
        rapidjson::Document instance;
        instance.Parse(body.c_str(), body.size());
        if (instance.HasParseError()) {
            return "body is not valid JSON (offset " + std::to_string(instance.GetErrorOffset()) +
                   ")";
        }
        const CompiledSchema& compiled = compile(cache_key, schema);
        rapidjson::SchemaValidator validator(*compiled.schema);
        if (instance.Accept(validator))
            return std::nullopt;
        std::string where = pointer_text(validator.GetInvalidDocumentPointer());
        std::string message = "body invalid at '" + where + "': keyword '" +
                              validator.GetInvalidSchemaKeyword() + "' of schema '" +
                              pointer_text(validator.GetInvalidSchemaPointer()) + "'";
        if (const Value* offending = validator.GetInvalidDocumentPointer().Get(instance)) {
            std::string value = to_json(*offending);
            if (value.size() > 300)
                value = value.substr(0, 300) + "...";
            message += "; value: " + value;
        }
        return message;
    }
};

std::optional<std::string> OpenApiDocument::Impl::match(const std::string& path,
                                                        const std::string& lower_method) const {
    std::string clean = path.substr(0, path.find('?'));
    const Value& paths = doc["paths"];
    if (paths.HasMember(clean.c_str()))
        return clean;  // already a template
    if (!server_prefix.empty() && clean.starts_with(server_prefix)) {
        clean = clean.substr(server_prefix.size());
    }
    auto segments = split_path(clean);
    std::optional<std::string> chosen;
    int best_literals = -1;
    for (const auto& candidate : templates) {
        if (!lower_method.empty() && !paths[candidate.c_str()].HasMember(lower_method.c_str())) {
            continue;
        }
        auto pattern = split_path(candidate);
        if (pattern.size() != segments.size())
            continue;
        int literals = 0;
        bool ok = true;
        for (std::size_t i = 0; i < pattern.size() && ok; ++i) {
            if (pattern[i].starts_with("{") && pattern[i].ends_with("}"))
                continue;
            ok = pattern[i] == segments[i];
            ++literals;
        }
        if (ok && literals > best_literals) {
            best_literals = literals;
            chosen = candidate;
        }
    }
    return chosen;
}

const Value* OpenApiDocument::Impl::operation(const std::string& path, const std::string& method,
                                              std::string& template_out, std::string& error) const {
    std::string lower_method = method;
    for (char& c : lower_method)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto chosen = match(path, lower_method);
    if (!chosen) {
        error = "no operation " + method + " " + path + " in the document";
        return nullptr;
    }
    template_out = *chosen;
    return &doc["paths"][chosen->c_str()][lower_method.c_str()];
}

OpenApiDocument::OpenApiDocument(const std::string& file) : impl_(std::make_unique<Impl>()) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + file);
    std::ostringstream content;
    content << in.rdbuf();
    std::string text = content.str();
    impl_->doc.Parse(text.c_str(), text.size());
    if (impl_->doc.HasParseError() || !impl_->doc.IsObject() || !impl_->doc.HasMember("paths")) {
        throw std::runtime_error(file + " is not an OpenAPI document");
    }
    if (impl_->doc.HasMember("servers") && impl_->doc["servers"].IsArray() &&
        !impl_->doc["servers"].Empty() && impl_->doc["servers"][0].HasMember("url")) {
        std::string url = impl_->doc["servers"][0]["url"].GetString();
        auto scheme = url.find("://");
        auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
        if (slash != std::string::npos)
            impl_->server_prefix = url.substr(slash);
        while (impl_->server_prefix.ends_with("/"))
            impl_->server_prefix.pop_back();
    }
    for (const auto& item : impl_->doc["paths"].GetObject())
        impl_->templates.emplace_back(item.name.GetString());
}

OpenApiDocument::~OpenApiDocument() = default;

std::optional<std::string> OpenApiDocument::match_path(const std::string& path,
                                                       const std::string& method) const {
    std::string lower_method = method;
    for (char& c : lower_method)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return impl_->match(path, lower_method);
}

std::optional<std::string> OpenApiDocument::validate_response(const std::string& path,
                                                              const std::string& method, int status,
                                                              const std::string& body) const {
    std::string template_path;
    std::string error;
    const Value* op = impl_->operation(path, method, template_path, error);
    if (!op)
        return error;
    if (!op->HasMember("responses"))
        return "operation has no responses";
    const Value& responses = (*op)["responses"];
    std::string code = std::to_string(status);
    const Value* response = nullptr;
    if (responses.HasMember(code.c_str())) {
        response = &responses[code.c_str()];
    } else if (responses.HasMember("default")) {
        response = &responses["default"];
    } else {
        return "status " + code + " is not documented for " + method + " " + template_path;
    }
    if (status == 204) {
        if (!body.empty())
            return "204 must not have a body";
        return std::nullopt;
    }
    const Value* schema = impl_->json_schema(response);
    if (!schema) {
        if (body.empty())
            return std::nullopt;
        rapidjson::Document any;
        any.Parse(body.c_str(), body.size());
        if (any.HasParseError())
            return "body is not valid JSON";
        return std::nullopt;
    }
    return impl_->validate(template_path + "|" + method + "|" + code, *schema, body);
}

std::optional<std::string> OpenApiDocument::validate_request(const std::string& path,
                                                             const std::string& method,
                                                             const std::string& body) const {
    std::string template_path;
    std::string error;
    const Value* op = impl_->operation(path, method, template_path, error);
    if (!op)
        return error;
    if (!op->HasMember("requestBody")) {
        return "operation " + method + " " + template_path + " takes no request body";
    }
    const Value* schema = impl_->json_schema(&(*op)["requestBody"]);
    if (!schema)
        return "operation " + method + " " + template_path + " has no JSON request schema";
    return impl_->validate(template_path + "|" + method + "|request", *schema, body);
}

std::optional<std::string> OpenApiDocument::validate_schema(const std::string& schema_name,
                                                            const std::string& body) const {
    const Value& schemas = impl_->doc["components"]["schemas"];
    if (!schemas.HasMember(schema_name.c_str()))
        return "no component schema " + schema_name;
    return impl_->validate("#schema|" + schema_name, schemas[schema_name.c_str()], body);
}

namespace {

OpenApiDocument& cached_document(const std::string& file) {
    static std::mutex mutex;
    static std::map<std::string, std::unique_ptr<OpenApiDocument>> documents;
    std::lock_guard lock(mutex);
    auto& slot = documents[file];
    if (!slot)
        slot = std::make_unique<OpenApiDocument>(file);
    return *slot;
}

}  // namespace

std::optional<std::string> validate_against(const std::string& openapi_file,
                                            const std::string& path, const std::string& method,
                                            int status, const std::string& body) {
    return cached_document(openapi_file).validate_response(path, method, status, body);
}

std::optional<std::string> validate_request_against(const std::string& openapi_file,
                                                    const std::string& path,
                                                    const std::string& method,
                                                    const std::string& body) {
    return cached_document(openapi_file).validate_request(path, method, body);
}

}  // namespace rosterd::test
