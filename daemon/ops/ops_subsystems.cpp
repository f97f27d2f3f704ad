#include "ops_service.hpp"
#include "rosterd/ops/subsystem.hpp"
#include "task_service.hpp"

namespace rosterd::ops {

std::vector<std::unique_ptr<Subsystem>> make_ops_subsystems(DaemonContext& context,
                                                            keys::KeyGate& keys, SyncControl& sync,
                                                            StageFactory stages) {
    auto ops = std::make_unique<OpsService>(context, keys, sync);
    auto tasks = std::make_unique<TaskService>(context, *ops, sync);
    if (stages)
        tasks->set_stage_factory(std::move(stages));
    std::vector<std::unique_ptr<Subsystem>> list;
    list.push_back(std::move(ops));
    list.push_back(std::move(tasks));
    return list;
}

}  // namespace rosterd::ops
