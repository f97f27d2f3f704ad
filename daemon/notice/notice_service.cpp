#include "notice_service.hpp"

#include "notice_commands.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/query/held.hpp"

namespace rosterd::notice {
namespace {

namespace json = control::json;

}  // namespace

NoticeService::NoticeService(DaemonContext& context, std::function<void()> wake_outbox)
    : context_(context), wake_outbox_(std::move(wake_outbox)) {}

std::shared_ptr<ops::RunStage> NoticeService::make_stage(const TaskConfig& task) const {
    return std::make_shared<NoticeStage>(task, context_.config->email, context_.events,
                                         wake_outbox_);
}

void NoticeService::write_status(rapidjson::Value& out,
                                 rapidjson::Document::AllocatorType& alloc) const {
    std::size_t tasks = 0;
    for (const auto& t : context_.config->tasks)
        tasks += t.notice ? 1 : 0;
    json::add(out, "notice_tasks", tasks, alloc);
    json::add(out, "email", context_.config->email.enabled(), alloc);
}

void NoticeService::register_commands(control::CommandRegistry& registry) {
    registry.add(notices_command(*this));
    registry.add(notices_exempt_command(*this));
}

std::shared_ptr<const query::SnapshotIndex> view_for(
    store::Database& db, std::shared_ptr<const query::SnapshotIndex> index, const Scope& scope) {
    if (!index || scope.sees_everything())
        return index;
    return query::scoped_view(db, std::move(index), scope);
}

}  // namespace rosterd::notice
