// Verified domains (v1): GET /admin/v1/orgs/{orgId}/domains. The organization's verified domains
// are those its managed accounts' emails are on (a managed account is one on a verified domain);
// one page, in name order.
#include <set>

#include "json_util.hpp"
#include "prng.hpp"
#include "route_util.hpp"
#include "routes.hpp"
#include "user_query.hpp"

namespace rosterd::sim {

namespace {

void list_domains(SimState& state, const httplib::Request& req, httplib::Response& res) {
    if (!check_org(state, req, res, req.matches[1].str()))
        return;
    const std::string base = "http://" + request_host(req) + "/admin/v1/orgs/" + state.org_id;
    std::set<std::string> names;
    {
        std::shared_lock lock(state.model_mutex);
        for (auto& name : state.model.verified_domains())
            names.insert(std::move(name));
    }
    // A domain whose verification the test takes back: its managed users stay managed.
    names.erase(lower_ascii(state.knobs().hide_domain));
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    key(w, "data");
    w.StartArray();
    for (const auto& name : names) {
        const std::string id = SplitMix64(fnv1a64(name)).uuid();
        w.StartObject();
        key(w, "id");
        put(w, id);
        key(w, "type");
        put(w, "domains");
        key(w, "attributes");
        w.StartObject();
        key(w, "name");
        put(w, name);
        key(w, "claim");
        w.StartObject();
        key(w, "type");
        put(w, "dns");
        key(w, "status");
        put(w, "verified");
        w.EndObject();
        w.EndObject();
        key(w, "links");
        w.StartObject();
        key(w, "self");
        put(w, base + "/domains/" + id);
        w.EndObject();
        w.EndObject();
    }
    w.EndArray();
    key(w, "links");
    w.StartObject();
    key(w, "self");
    put(w, base + "/domains");
    w.EndObject();
    w.EndObject();
    send_json(res, 200, to_string(buffer));
}

}  // namespace

void register_domain_routes(Routes& server, SimState& state) {
    server.get(std::string("/admin/v1/orgs/") + kSegment + "/domains",
               [&state](const httplib::Request& req, httplib::Response& res) {
                   guarded(req, res, [&] { list_domains(state, req, res); });
               });
}

}  // namespace rosterd::sim
