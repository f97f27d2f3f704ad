#pragma once
// The notice stage of one task run (issue 17): decides from the task's notice records and the
// snapshot the run was planned from who is put on notice, released, reminded and acted on; narrows
// the run's plan to the users to act on; records the rest in the run's own transaction (mail
// included, through the outbox); reports the three lists.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "rosterd/config/config.hpp"
#include "rosterd/model/events.hpp"
#include "rosterd/notice/notice.hpp"
#include "rosterd/ops/run_stage.hpp"

namespace rosterd::notice {

class NoticeStage final : public ops::RunStage {
  public:
    // `wake` tells the outbox that mail was written; `events` may be null.
    NoticeStage(TaskConfig task, Config::Email email, EventSink* events,
                std::function<void()> wake);

    void narrow(store::Database& db, const query::SnapshotIndex& index, ops::Plan& plan,
                std::int64_t now_ms) override;
    void record(store::Database& db, const ops::RunRecord& run) override;
    void recorded(const ops::RunRecord& run) override;
    void describe(rapidjson::Value& out, rapidjson::Document::AllocatorType& a) const override;

    // One user in a list, with what a mail needs to say.
    struct Entry {
        OpenNotice notice;  // noticed_at / deadline: the new ones' for `noticed`
        std::string name, email;
        std::string products, sites, last_active;
        std::string reason;  // released: why
        int reminders = 0;   // reminded: reminders sent after this one
    };

  private:
    Entry entry_for(const query::SnapshotIndex& index, const std::string& account_id) const;
    std::string mail_reason() const;
    void enqueue(store::Database& db, const Entry& entry, std::int64_t notice_id,
                 const std::string& kind);
    void audit(store::Database& db, const ops::RunRecord& run, const std::string& command,
               const Entry& entry, const std::string& detail);

    TaskConfig task_;
    Config::Email email_;
    EventSink* events_;
    std::function<void()> wake_;
    std::int64_t now_ = 0;
    std::vector<Entry> noticed_, released_, acting_, reminded_;
    std::size_t waiting_ = 0;
    bool recorded_ = false;
};

// The stage for `task` (which has a notice: block), as the task service asks for it.
using StageFactory = std::function<std::shared_ptr<ops::RunStage>(const TaskConfig& task)>;

}  // namespace rosterd::notice
