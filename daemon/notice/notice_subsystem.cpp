#include "notice_service.hpp"

namespace rosterd::notice {

std::unique_ptr<NoticeSubsystem> make_notice_subsystem(DaemonContext& context,
                                                       std::function<void()> wake_outbox) {
    return std::make_unique<NoticeService>(context, std::move(wake_outbox));
}

}  // namespace rosterd::notice
