#pragma once
// JSON shapes of the API's objects (reference section 3): v2 camelCase users and groups, v1
// snake_case users and last-active dates, workspaces.
#include <string>
#include <string_view>

#include "json_util.hpp"
#include "model.hpp"
#include "user_query.hpp"

namespace rosterd::sim {

// An opaque, stable token for an object's links.self.
std::string self_token(std::string_view id);
std::string picture_url(const User& user);

void write_v2_user(JsonWriter& w, const Model& model, const User& user, const UserExpand& expand);
// GET .../users/{accountId}: the user's details without groups, productAccess and links.
void write_v2_user_details(JsonWriter& w, const Model& model, const User& user);
// `host`: the request's Host header, for absolute self links.
void write_v1_user(JsonWriter& w, const Model& model, const User& user, std::string_view host);
void write_last_active(JsonWriter& w, const Model& model, const User& user);

struct GroupCountsExpand {
    bool users = false;
    bool resources = false;
};
void write_group(JsonWriter& w, const Model& model, std::size_t group, GroupCountsExpand counts);

void write_workspace(JsonWriter& w, const Model& model, std::size_t product);

}  // namespace rosterd::sim
