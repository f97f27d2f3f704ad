#pragma once
// Groups search filters (reference 3.10): parsing, canonical form and matching.
#include <optional>
#include <string>
#include <vector>

#include "field_source.hpp"
#include "model.hpp"
#include "render.hpp"

namespace rosterd::sim {

struct GroupQuery {
    std::vector<std::string> account_ids;
    std::vector<std::string> directory_ids;
    std::vector<std::string> group_ids;
    std::vector<std::string> group_names;
    std::vector<std::string> resource_ids;
    std::vector<std::string> resource_owners;
    std::vector<std::string> role_ids;
    std::optional<std::string> search_term;
    std::optional<SortSpec> sort;  // only "name"

    std::string canonical_json() const;
};

GroupQuery read_group_query(const FieldSource& fields);
// expand ["counts.resources", "counts.users"] (POST) or counts.includeUsers/includeResources
// (deprecated GET).
GroupCountsExpand read_group_expand(const FieldSource& fields);

// Indices of the matching groups in the query's order.
std::vector<std::size_t> matching_groups(const Model& model, const GroupQuery& query,
                                         std::optional<std::size_t> directory);

}  // namespace rosterd::sim
