#include "key_service.hpp"

namespace rosterd::keys {

std::unique_ptr<KeySubsystem> make_key_subsystem(DaemonContext& context,
                                                 notify::NoticeSink* notices) {
    return std::make_unique<KeyService>(context, notices);
}

}  // namespace rosterd::keys
