#include "subsystems.hpp"

namespace rosterd {

std::vector<std::unique_ptr<Subsystem>> make_subsystems(DaemonContext& context) {
    (void)context;
    std::vector<std::unique_ptr<Subsystem>> list;
    return list;
}

}  // namespace rosterd
