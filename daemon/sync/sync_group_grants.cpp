// The groups and what each grants: the group listing, then the role assignments of the groups
// that grant something, read through the searches of a GroupGrantCode where that costs fewer
// requests than one per group (group_grant_code.hpp), else group by group.
#include <spdlog/spdlog.h>

#include "group_grant_code.hpp"
#include "group_grants_gate.hpp"
#include "rosterd/sync/sync.hpp"
#include "snapshot_writer.hpp"

namespace rosterd::sync {

// The role reads of one sync; the last one to finish opens the gate.
struct SyncRun::GroupRoleReads {
    std::shared_ptr<GroupGrantsGate> gate;
    std::int64_t snapshot = 0;
    std::size_t outstanding = 1;  // held while the reads are launched

    void one_done() {
        if (--outstanding == 0)
            gate->open();
    }
};

void SyncRun::fetch_groups(const std::shared_ptr<GroupGrantsGate>& gate) {
    auto self = shared_from_this();
    auto snapshot = snapshot_;
    atlassian::GroupSearch search;
    search.expand = {"counts.resources"};
    ++pending_;
    client_->list_groups(
        search, [self, snapshot, gate](atlassian::Result<std::vector<atlassian::Group>> r) {
            if (!r) {
                self->fail(r.error());
                gate->open();  // waiting user writes see the failure and stop
            } else {
                auto groups = std::move(r.value());
                self->progress_.groups = static_cast<std::int64_t>(groups.size());
                auto reads = std::make_shared<GroupRoleReads>();
                reads->gate = gate;
                reads->snapshot = snapshot;
                // Only groups that grant something have role assignments worth a request; those
                // with one product may be read together.
                std::vector<atlassian::Group> single_product;
                for (const auto& g : groups) {
                    if (g.resource_count && *g.resource_count == 0)
                        continue;
                    if (g.resource_count && *g.resource_count == 1)
                        single_product.push_back(g);
                    else
                        self->read_group_roles(reads, g);
                }
                std::vector<std::string> products;
                for (const auto& w : self->workspaces_)
                    products.push_back(w.id);
                auto code = std::make_shared<GroupGrantCode>(std::move(products));
                if (single_product.size() > code->cost()) {
                    self->read_grants_by_code(reads, std::move(code), std::move(single_product));
                } else {
                    for (const auto& g : single_product)
                        self->read_group_roles(reads, g);
                }
                reads->one_done();
                self->write([snapshot, list = std::move(groups)](
                                store::Database& db) { write_groups(db, snapshot, list); },
                            {});
                self->report();
            }
            if (--self->pending_ == 0)
                self->on_phase_drained_();
        });
}

void SyncRun::read_group_roles(const std::shared_ptr<GroupRoleReads>& reads,
                               const atlassian::Group& group) {
    auto self = shared_from_this();
    ++pending_;
    ++reads->outstanding;
    client_->get_group_roles(
        group.directory_id.empty() ? atlassian::kAllDirectories : group.directory_id, group.id,
        [self, reads, group_id = group.id](
            atlassian::Result<std::vector<atlassian::GroupRoleAssignment>> roles) {
            if (!roles) {
                self->fail(roles.error());
            } else {
                auto& granted = reads->gate->grants[group_id];
                for (const auto& assignment : roles.value()) {
                    if (!assignment.roles.empty())
                        granted.push_back(assignment.resource_id);
                    for (const auto& role : assignment.roles)
                        reads->gate->roles[role].insert(assignment.resource_id);
                }
                self->write(
                    [snapshot = reads->snapshot, group_id, list = std::move(roles.value())](
                        store::Database& db) { write_group_roles(db, snapshot, group_id, list); },
                    {});
            }
            reads->one_done();
            if (--self->pending_ == 0)
                self->on_phase_drained_();
        });
}

void SyncRun::read_grants_by_code(const std::shared_ptr<GroupRoleReads>& reads,
                                  std::shared_ptr<GroupGrantCode> code,
                                  std::vector<atlassian::Group> single_product) {
    auto self = shared_from_this();
    auto groups = std::make_shared<std::vector<atlassian::Group>>(std::move(single_product));
    auto searches = std::make_shared<std::size_t>(code->cost());
    // A search the API refuses (a role id it does not take in a group search, say): every group
    // is read alone, as without the code.
    auto refused = std::make_shared<bool>(false);
    ++reads->outstanding;
    for (std::size_t q = 0; q < code->queries().size(); ++q) {
        atlassian::GroupSearch search;
        search.role_ids = code->queries()[q].role_ids;
        search.resource_ids = code->queries()[q].resource_ids;
        ++pending_;
        client_->search_groups(
            std::move(search),
            atlassian::PageHandler<atlassian::Group>(
                [code, q](const std::vector<atlassian::Group>& page) {
                    for (const auto& g : page)
                        code->returned(q, g.id);
                }),
            [self, reads, code, groups, searches,
             refused](atlassian::Result<atlassian::PageSummary> r) {
                if (!r) {
                    const auto& e = r.error();
                    if (e.kind == atlassian::ApiError::Kind::http && e.status >= 400 &&
                        e.status < 500) {
                        spdlog::warn(
                            "sync: a group search of the grant code was refused ({}); "
                            "reading each group's role assignments instead",
                            e.describe());
                        *refused = true;
                    } else {
                        self->fail(e);
                    }
                }
                if (--*searches == 0 && !self->stopped()) {
                    // Every search is in: each group decodes to its grant, or is read alone.
                    std::vector<std::pair<std::string, GroupGrant>> decoded;
                    for (const auto& g : *groups) {
                        if (*refused) {
                            self->read_group_roles(reads, g);
                        } else if (auto grant = code->decode(g.id)) {
                            reads->gate->grants[g.id].push_back(grant->resource_id);
                            reads->gate->roles[grant->role].insert(grant->resource_id);
                            decoded.emplace_back(g.id, std::move(*grant));
                        } else {
                            self->read_group_roles(reads, g);
                        }
                    }
                    spdlog::debug("sync: {} groups' grants read by {} searches, {} read alone",
                                  decoded.size(), code->cost(), groups->size() - decoded.size());
                    self->write(
                        [snapshot = reads->snapshot,
                         decoded = std::move(decoded)](store::Database& db) {
                            for (const auto& [group_id, grant] : decoded)
                                write_group_roles(db, snapshot, group_id,
                                                  {atlassian::GroupRoleAssignment{
                                                      grant.resource_id, "", {grant.role}, ""}});
                        },
                        {});
                }
                if (*searches == 0)
                    reads->one_done();
                if (--self->pending_ == 0)
                    self->on_phase_drained_();
            });
    }
}

}  // namespace rosterd::sync
