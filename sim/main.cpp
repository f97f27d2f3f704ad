// rosterd-sim: serves a simulated Atlassian organization until SIGTERM or SIGINT.
#include <pthread.h>
#include <signal.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <iostream>

#include "options.hpp"
#include "sim_server.hpp"
#include "truth.hpp"

int main(int argc, char** argv) {
    using namespace rosterd::sim;
    SimOptions options;
    if (int code = parse_command_line(argc, argv, options); code >= 0)
        return code;

    // Block the stop signals before any thread starts, so every thread inherits the mask and
    // main can collect them with sigwait.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);  // a client that hangs up must not kill the server

    try {
        Model model = build_model(options);
        SimSettings settings = build_settings(options);
        if (options.dump_truth)
            write_file_atomically(*options.dump_truth, truth_json(model));
        SimServer server(std::move(model), std::move(settings));
        int port = server.start(options.listen, options.port);
        if (options.port_file)
            write_file_atomically(*options.port_file, std::to_string(port) + "\n");
        std::cout << "rosterd-sim listening on http://" << options.listen << ":" << port
                  << std::endl;

        int received = 0;
        sigwait(&stop_signals, &received);
        server.stop();
    } catch (const std::exception& error) {
        std::cerr << "rosterd-sim: " << error.what() << std::endl;
        return 1;
    }
    return 0;
}
