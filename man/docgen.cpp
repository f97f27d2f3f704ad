// rosterd-docgen: writes the manual pages rosterd(8), rosterctl(1), rosterd.yaml(5) and rosterctl's
// bash and zsh completion from what the programs themselves declare, so they cannot drift:
//   - the control commands, their access levels and arguments: the daemon's command registry,
//     filled by constructing the daemon as rosterd does (on a throwaway database);
//   - rosterctl's commands and options: the CLI11 tree rosterctl parses with (cli::build_app);
//   - rosterd's options: add_main_options(), as rosterd's main() uses;
//   - the configuration keys: the settings table (declared_config_keys()), each described by its
//     row in docs/configuration.md; the filter fields from user_filter_fields().
// The prose around the generated lists lives in man/*.in (@NAME@ lines are replaced).
// A key without a row, or a row without a key, is reported on stderr and in the page (the
// man-pages test fails on it) rather than failing the build.
//
//   rosterd-docgen --source-dir DIR --out-dir DIR     writes the pages and the completion files
//   rosterd-docgen --list commands|cli|config-keys    prints what the pages must contain
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli_common.hpp"
#include "daemon/main_options.hpp"
#include "rosterd/app/daemon.hpp"
#include "rosterd/base/logging.hpp"
#include "rosterd/config/config.hpp"
#include "rosterd/control/access.hpp"
#include "rosterd/control/registry.hpp"
#include "rosterd/model/user_filter.hpp"
#include "rosterd/version.hpp"

namespace fs = std::filesystem;
using namespace rosterd;

namespace {

// ---- sources -----------------------------------------------------------------------------------

struct CommandDoc {
    std::string name, summary, level;
    bool streams_progress = false;
    struct Arg {
        std::string name, type, help;
        bool required = false;
    };
    std::vector<Arg> args;
};

// The daemon's registry exactly as rosterd builds it: the Daemon constructor registers the core
// commands and every subsystem's. It opens a database, so give it a throwaway one.
std::vector<CommandDoc> registered_commands() {
    char pattern[] = "/tmp/rosterd-docgen-XXXXXX";
    const char* dir = ::mkdtemp(pattern);
    if (!dir)
        throw std::runtime_error("mkdtemp failed");
    std::vector<CommandDoc> out;
    {
        setup_logging("off");
        Config config;
        config.storage.path = std::string(dir) + "/rosterd.db";
        Daemon daemon(DaemonOptions{"/nonexistent/rosterd.yaml", std::nullopt}, std::move(config));
        rapidjson::Document doc;
        for (const auto* spec : daemon.registry().commands()) {
            auto d = control::describe_command(*spec, doc.GetAllocator());
            CommandDoc c;
            c.name = d["name"].GetString();
            c.summary = d["summary"].GetString();
            c.level = d["level"].GetString();
            c.streams_progress = d["streams_progress"].GetBool();
            for (const auto& a : d["args"].GetArray())
                c.args.push_back({a["name"].GetString(), a["type"].GetString(),
                                  a.HasMember("help") ? a["help"].GetString() : "",
                                  a["required"].GetBool()});
            out.push_back(std::move(c));
        }
    }
    fs::remove_all(dir);
    return out;
}

// rosterctl's tree, flattened: one entry per subcommand, parents first.
struct CliCommand {
    std::string path;  // "sync history"
    const CLI::App* app;
};

void flatten(const CLI::App* app, const std::string& path, std::vector<CliCommand>& out) {
    for (const CLI::App* sub : app->get_subcommands([](const CLI::App*) { return true; })) {
        std::string sub_path = path.empty() ? sub->get_name() : path + " " + sub->get_name();
        out.push_back({sub_path, sub});
        flatten(sub, sub_path, out);
    }
}

// The options a user may type at one level (help and version included; positionals apart).
std::vector<const CLI::Option*> named_options(const CLI::App* app) {
    std::vector<const CLI::Option*> out;
    for (const CLI::Option* opt : app->get_options())
        if (!opt->get_lnames().empty() || !opt->get_snames().empty())
            out.push_back(opt);
    return out;
}

std::vector<const CLI::Option*> positionals(const CLI::App* app) {
    std::vector<const CLI::Option*> out;
    for (const CLI::Option* opt : app->get_options())
        if (opt->get_lnames().empty() && opt->get_snames().empty() && opt->get_positional())
            out.push_back(opt);
    return out;
}

// Flags expect no value (CLI11 counts their items as 0).
bool takes_value(const CLI::Option* opt) {
    return opt->get_items_expected_max() != 0;
}

std::vector<std::string> spellings(const CLI::Option* opt) {
    std::vector<std::string> out;
    for (const auto& s : opt->get_snames())
        out.push_back("-" + s);
    for (const auto& l : opt->get_lnames())
        out.push_back("--" + l);
    return out;
}

// CLI11's type name, without the description of its checks ("INT:INT in [1 - 3650]" -> "INT").
std::string metavar(const CLI::Option* opt) {
    std::string name = opt->get_type_name();
    name = name.substr(0, name.find(':'));
    return name.empty() ? "VALUE" : name;
}

std::string upper(std::string text) {
    for (auto& c : text)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + path.string());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void write_file(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out)
        throw std::runtime_error("cannot write " + path.string());
}

// ---- roff --------------------------------------------------------------------------------------

// Text for roff: backslashes and minus signs escaped, the few non-ASCII characters the docs use
// spelled as roff glyphs (man pages are read on any terminal), no line starting a request.
std::string roff(const std::string& text) {
    static const std::vector<std::pair<std::string, std::string>> glyphs = {
        {"\u2014", "\\(em"}, {"\u2013", "\\(en"}, {"\u2026", "..."},   {"\u2264", "\\(<="},
        {"\u2265", "\\(>="}, {"\u00d7", "\\(mu"}, {"\u2192", "\\(->"}, {"\u00a0", "\\ "}};
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        bool replaced = false;
        for (const auto& [from, to] : glyphs)
            if (text.compare(i, from.size(), from) == 0) {
                out += to;
                i += from.size();
                replaced = true;
                break;
            }
        if (replaced)
            continue;
        char c = text[i++];
        if (c == '\\')
            out += "\\e";
        else if (c == '-')
            out += "\\-";
        else
            out += c;
    }
    if (!out.empty() && (out[0] == '.' || out[0] == '\''))
        out = "\\&" + out;
    return out;
}

std::string bold(const std::string& text) {
    return "\\fB" + roff(text) + "\\fR";
}
std::string italic(const std::string& text) {
    return "\\fI" + roff(text) + "\\fR";
}

// Markdown inline text of a docs table cell: `code` in bold, entities and \| undone.
std::string markdown_to_roff(std::string text) {
    for (auto [from, to] : {std::pair{"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}, {"\\|", "|"}})
        for (std::size_t at; (at = text.find(from)) != std::string::npos;)
            text.replace(at, std::string(from).size(), to);
    std::string out;
    std::size_t pos = 0;
    while (true) {
        auto open = text.find('`', pos);
        auto close = open == std::string::npos ? open : text.find('`', open + 1);
        if (close == std::string::npos) {
            out += roff(text.substr(pos));
            break;
        }
        out += roff(text.substr(pos, open - pos)) + bold(text.substr(open + 1, close - open - 1));
        pos = close + 1;
    }
    if (out.rfind("\\&", 0) == 0 || out.empty() || (out[0] != '.' && out[0] != '\''))
        return out;
    return "\\&" + out;
}

// Replaces each line "@NAME@" of a template by its section.
std::string fill_template(const std::string& text,
                          const std::map<std::string, std::string>& parts) {
    std::istringstream in(text);
    std::string out, line;
    while (std::getline(in, line)) {
        auto found = parts.find(line);
        if (found != parts.end())
            out += found->second;
        else
            out += line + "\n";
    }
    return out;
}

// ---- rosterd(8) --------------------------------------------------------------------------------

std::string option_entry(const CLI::Option* opt) {
    std::string head;
    for (const auto& s : spellings(opt))
        head += (head.empty() ? "" : ", ") + bold(s);
    if (takes_value(opt))
        head += " " + italic(metavar(opt));
    std::string body = roff(opt->get_description());
    if (!opt->get_default_str().empty())
        body += " (default: " + roff(opt->get_default_str()) + ")";
    if (!opt->get_envname().empty())
        body += " (environment: " + bold(opt->get_envname()) + ")";
    return ".TP\n" + head + "\n" + body + "\n";
}

std::string command_entry(const CommandDoc& c) {
    std::string out = ".TP\n" + bold(c.name) + " (" + italic(c.level) + ")\n" + roff(c.summary);
    if (c.streams_progress)
        out += " (sends progress lines before its answer)";
    out += "\n";
    if (!c.args.empty()) {
        out += ".RS\n";
        for (const auto& a : c.args)
            out += ".TP\n" + bold(a.name) + " (" + roff(a.type) + (a.required ? ", required" : "") +
                   ")\n" + roff(a.help) + "\n";
        out += ".RE\n";
    }
    return out;
}

std::string daemon_page(const fs::path& source, const std::vector<CommandDoc>& commands) {
    CLI::App app{kDaemonDescription};
    MainOptions options;
    add_main_options(app, options);
    std::string opts;
    for (const auto* opt : named_options(&app))
        opts += option_entry(opt);
    std::string list;
    for (const auto& c : commands)
        list += command_entry(c);
    return fill_template(read_file(source / "man/rosterd.8.in"),
                         {{"@VERSION@", std::string(".ds Ve ") + kVersion + "\n"},
                          {"@OPTIONS@", opts},
                          {"@COMMANDS@", list}});
}

// ---- rosterctl(1) ------------------------------------------------------------------------------

std::string cli_page(const fs::path& source, const CLI::App& app,
                     const std::vector<CliCommand>& tree, const std::vector<CommandDoc>& commands) {
    std::string global;
    for (const auto* opt : named_options(&app))
        global += option_entry(opt);
    std::string list;
    for (const auto& c : tree) {
        std::string synopsis = "rosterctl " + c.path;
        for (const auto* p : positionals(c.app)) {
            std::string name = upper(p->get_name());
            bool many = p->get_items_expected_max() > 1;
            synopsis += p->get_required() ? " " + name : " [" + name + "]";
            if (many)
                synopsis += "...";
        }
        if (named_options(c.app).size() > 1)  // more than --help
            synopsis += " [OPTIONS]";
        list += ".SS \"" + c.path + "\"\n" + bold(synopsis) + "\n.br\n" +
                roff(c.app->get_description()) + "\n";
        for (const auto* p : positionals(c.app))
            list +=
                ".TP\n" + italic(upper(p->get_name())) + "\n" + roff(p->get_description()) + "\n";
        for (const auto* opt : named_options(c.app))
            if (opt != c.app->get_help_ptr())
                list += option_entry(opt);
    }
    std::string access;
    for (const auto& c : commands)
        access += ".TP\n" + bold(c.name) + " (" + italic(c.level) + ")\n" + roff(c.summary) + "\n";
    return fill_template(read_file(source / "man/rosterctl.1.in"),
                         {{"@VERSION@", std::string(".ds Ve ") + kVersion + "\n"},
                          {"@OPTIONS@", global},
                          {"@COMMANDS@", list},
                          {"@ACCESS@", access}});
}

// ---- rosterd.yaml(5) ---------------------------------------------------------------------------

struct KeyRow {
    std::string key, type, fallback, meaning;  // roff already
    bool used = false;
};

std::vector<std::string> split_cells(const std::string& line) {
    std::vector<std::string> cells;
    std::string cell;
    for (std::size_t i = 1; i < line.size(); ++i) {
        if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '|') {
            cell += "\\|";
            ++i;
        } else if (line[i] == '|') {
            auto first = cell.find_first_not_of(' ');
            auto last = cell.find_last_not_of(' ');
            cells.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
            cell.clear();
        } else {
            cell += line[i];
        }
    }
    return cells;
}

// The keys a row's first cell names: "`a.{b,c}.d`" is two keys; "`a.url` / `url_file`" two more.
std::vector<std::string> row_keys(const std::string& cell) {
    std::vector<std::string> codes;
    for (std::size_t pos = 0;;) {
        auto open = cell.find('`', pos);
        if (open == std::string::npos)
            break;
        auto close = cell.find('`', open + 1);
        codes.push_back(cell.substr(open + 1, close - open - 1));
        pos = close + 1;
    }
    std::vector<std::string> keys;
    if (codes.empty())
        return keys;
    std::string first = codes[0];
    auto brace = first.find('{');
    if (brace != std::string::npos) {
        auto end = first.find('}', brace);
        std::stringstream alternatives(first.substr(brace + 1, end - brace - 1));
        for (std::string alt; std::getline(alternatives, alt, ',');)
            keys.push_back(first.substr(0, brace) + alt + first.substr(end + 1));
    } else {
        keys.push_back(first);
    }
    auto parent = first.substr(0, first.rfind('.') + 1);
    for (std::size_t i = 1; i < codes.size(); ++i)
        keys.push_back(parent + codes[i]);
    return keys;
}

std::vector<KeyRow> key_rows(const std::string& markdown) {
    std::vector<KeyRow> rows;
    std::istringstream in(markdown);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("| `", 0) != 0)
            continue;
        auto cells = split_cells(line);
        if (cells.size() < 4)
            continue;
        for (const auto& key : row_keys(cells[0]))
            rows.push_back({key, markdown_to_roff(cells[1]), markdown_to_roff(cells[2]),
                            markdown_to_roff(cells[3])});
    }
    return rows;
}

bool is_filter_field_key(const std::string& key) {
    auto dot = key.rfind('.');
    if (dot == std::string::npos || !find_user_filter_field(key.substr(dot + 1)))
        return false;
    auto parent = key.substr(0, dot);
    return parent == "filters.<name>" || parent == "tasks[].filter";
}

std::string config_page(const fs::path& source, std::vector<std::string> keys,
                        std::vector<std::string>& problems) {
    // The root mapping declares every section before any section declares its keys: keep each
    // section's keys under it, sections and keys otherwise in the table's order.
    std::map<std::string, std::size_t> section_order;
    for (const auto& key : keys)
        if (key.find_first_of(".[") == std::string::npos)
            section_order.emplace(key, section_order.size());
    std::stable_sort(keys.begin(), keys.end(), [&](const std::string& a, const std::string& b) {
        return section_order[a.substr(0, a.find_first_of(".["))] <
               section_order[b.substr(0, b.find_first_of(".["))];
    });
    auto rows = key_rows(read_file(source / "docs/configuration.md"));
    std::set<std::string> parents;
    for (const auto& key : keys)
        for (auto dot = key.rfind('.'); dot != std::string::npos && dot > 0;
             dot = key.rfind('.', dot - 1)) {
            auto parent = key.substr(0, dot);
            parents.insert(parent);
            // "tasks[].name" makes "tasks" a list of mappings, documented by their keys.
            if (parent.size() > 2 && parent.compare(parent.size() - 2, 2, "[]") == 0)
                parents.insert(parent.substr(0, parent.size() - 2));
        }
    std::string list;
    for (const auto& key : keys) {
        if (is_filter_field_key(key))
            continue;  // described once, under FILTER FIELDS
        bool top_level = key.find('.') == std::string::npos;
        if (top_level)
            list += ".SS " + key + "\n";
        bool documented = false;
        for (auto& row : rows) {
            // The row of the key itself, or of its entries ("inactivity.per_product.<product>").
            bool own = row.key == key;
            bool entries = row.key.rfind(key + ".<", 0) == 0 &&
                           row.key.find('.', key.size() + 1) == std::string::npos;
            if (!own && !entries)
                continue;
            if (row.used)
                continue;  // a row covers one key; a second key of the same name is a section
            row.used = true;
            documented = true;
            list += ".TP\n" + bold(row.key) + " (" + row.type + "; default: " + row.fallback +
                    ")\n" + row.meaning + "\n";
        }
        // A mapping of further keys (control.access, notifications.delivery) needs no row of its
        // own: its keys have theirs.
        if (!documented && !parents.count(key)) {
            problems.push_back("configuration key " + key + " has no row in docs/configuration.md");
            list += ".TP\n" + bold(key) + "\nUNDOCUMENTED: no row in docs/configuration.md.\n";
        }
    }
    for (const auto& row : rows)
        if (!row.used && !is_filter_field_key(row.key) &&
            row.key.find(".<field>") == std::string::npos)
            problems.push_back("docs/configuration.md documents " + row.key +
                               ", which the settings table does not declare");
    std::string fields;
    for (const auto& field : user_filter_fields())
        fields +=
            ".TP\n" + bold(std::string(field.name)) + "\n" + roff(std::string(field.help)) + "\n";
    return fill_template(read_file(source / "man/rosterd.yaml.5.in"),
                         {{"@VERSION@", std::string(".ds Ve ") + kVersion + "\n"},
                          {"@KEYS@", list},
                          {"@FILTER_FIELDS@", fields}});
}

// ---- completion --------------------------------------------------------------------------------

// What completion offers at each level of rosterctl's tree.
struct Level {
    std::string path;
    std::vector<std::pair<std::string, std::string>> subcommands;  // name, description
    std::vector<std::pair<std::string, std::string>> options;      // spelling, description
    std::vector<std::string> value_options;                        // take the next word
    std::vector<std::string> words;  // values of its positional argument
};

// Options naming a file or socket complete file names.
bool names_a_path(const std::string& spelling) {
    auto ends = [&](const std::string& s) {
        return spelling.size() >= s.size() &&
               spelling.compare(spelling.size() - s.size(), s.size(), s) == 0;
    };
    return ends("socket") || ends("file") || spelling == "-s";
}

std::vector<Level> completion_levels(const CLI::App& app, const std::vector<CliCommand>& tree,
                                     const std::vector<CommandDoc>& commands) {
    std::vector<CliCommand> all{{"", &app}};
    all.insert(all.end(), tree.begin(), tree.end());
    std::vector<Level> levels;
    for (const auto& c : all) {
        // Keyed "rosterctl", "rosterctl sync", ...: bash refuses an empty array subscript.
        Level level{c.path.empty() ? "rosterctl" : "rosterctl " + c.path, {}, {}, {}, {}};
        for (const CLI::App* sub : c.app->get_subcommands([](const CLI::App*) { return true; }))
            level.subcommands.push_back({sub->get_name(), sub->get_description()});
        for (const auto* opt : named_options(c.app))
            for (const auto& s : spellings(opt)) {
                level.options.push_back({s, opt->get_description()});
                if (takes_value(opt))
                    level.value_options.push_back(s);
            }
        // `rosterctl help COMMAND` takes a control command of the registry.
        if (c.path == "help")
            for (const auto& command : commands)
                level.words.push_back(command.name);
        levels.push_back(std::move(level));
    }
    return levels;
}

std::string joined_names(const std::vector<std::pair<std::string, std::string>>& items) {
    std::string out;
    for (const auto& [name, description] : items)
        out += (out.empty() ? "" : " ") + name;
    return out;
}

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items)
        out += (out.empty() ? "" : " ") + item;
    return out;
}

// Single-quoted for bash and zsh: ' becomes '\'' (bash) or '' (zsh, RC_QUOTES is not set by
// default, so use the portable form for both).
std::string quoted(const std::string& text) {
    std::string out = "'";
    for (char c : text)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string bash_completion(const std::vector<Level>& levels) {
    std::string subs, opts, values, words, paths;
    for (const auto& l : levels) {
        subs += "        [" + quoted(l.path) + "]=" + quoted(joined_names(l.subcommands)) + "\n";
        opts += "        [" + quoted(l.path) + "]=" + quoted(joined_names(l.options)) + "\n";
        for (const auto& v : l.value_options)
            (names_a_path(v) ? paths : values) += "        [" + quoted(l.path + "|" + v) + "]=1\n";
        if (!l.words.empty())
            words += "        [" + quoted(l.path) + "]=" + quoted(joined(l.words)) + "\n";
    }
    return "# bash completion for rosterctl(1). Generated by rosterd-docgen from rosterctl's "
           "command\n"
           "# tree and rosterd's command registry (man/docgen.cpp): do not edit.\n"
           "_rosterctl() {\n"
           "    local -A subcommands=(\n" +
           subs +
           "    )\n"
           "    local -A options=(\n" +
           opts +
           "    )\n"
           "    # Options whose value is the next word; those naming a path complete files.\n"
           "    local -A takes_value=(\n" +
           values + paths +
           "    )\n"
           "    local -A takes_path=(\n" +
           paths +
           "    )\n"
           "    local -A positional_words=(\n" +
           words +
           "    )\n"
           "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
           "    local cmdpath=rosterctl word i skip=0\n"
           "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
           "        word=${COMP_WORDS[i]}\n"
           "        if ((skip)); then skip=0; continue; fi\n"
           "        if [[ -n ${takes_value[\"$cmdpath|$word\"]} ]]; then skip=1; continue; fi\n"
           "        if [[ \" ${subcommands[$cmdpath]} \" == *\" $word \"* ]]; then\n"
           "            cmdpath+=\" $word\"\n"
           "        fi\n"
           "    done\n"
           "    if ((COMP_CWORD > 1)) && [[ -n ${takes_value[\"$cmdpath|$prev\"]} ]]; then\n"
           "        if [[ -n ${takes_path[\"$cmdpath|$prev\"]} ]]; then\n"
           "            COMPREPLY=($(compgen -f -- \"$cur\"))\n"
           "        else\n"
           "            COMPREPLY=()\n"
           "        fi\n"
           "        return\n"
           "    fi\n"
           "    if [[ $cur == -* ]]; then\n"
           "        COMPREPLY=($(compgen -W \"${options[$cmdpath]}\" -- \"$cur\"))\n"
           "    else\n"
           "        COMPREPLY=($(compgen -W \"${subcommands[$cmdpath]} "
           "${positional_words[$cmdpath]}\" -- \"$cur\"))\n"
           "    fi\n"
           "}\n"
           "complete -F _rosterctl rosterctl\n";
}

std::string zsh_described(const std::vector<std::pair<std::string, std::string>>& items) {
    std::string out;
    for (const auto& [name, description] : items) {
        std::string escaped;
        for (char c : description)
            escaped += c == ':' ? std::string("\\:") : std::string(1, c);
        out += (out.empty() ? "" : "\n") + name + ":" + escaped;
    }
    return out;
}

std::string zsh_completion(const std::vector<Level>& levels) {
    std::string subs, opts, values, paths, words;
    for (const auto& l : levels) {
        subs += "        " + quoted(l.path) + " " + quoted(zsh_described(l.subcommands)) + "\n";
        opts += "        " + quoted(l.path) + " " + quoted(zsh_described(l.options)) + "\n";
        for (const auto& v : l.value_options)
            (names_a_path(v) ? paths : values) += "        " + quoted(l.path + "|" + v) + " 1\n";
        if (!l.words.empty())
            words += "        " + quoted(l.path) + " " + quoted(joined(l.words)) + "\n";
    }
    return "#compdef rosterctl\n"
           "# zsh completion for rosterctl(1). Generated by rosterd-docgen from rosterctl's "
           "command\n"
           "# tree and rosterd's command registry (man/docgen.cpp): do not edit.\n"
           "_rosterctl() {\n"
           "    # Per level of the command tree: \"name:description\" lines.\n"
           "    local -A subcommands options takes_value takes_path positional_words\n"
           "    subcommands=(\n" +
           subs +
           "    )\n"
           "    options=(\n" +
           opts +
           "    )\n"
           "    takes_value=(\n" +
           values + paths +
           "    )\n"
           "    takes_path=(\n" +
           paths +
           "    )\n"
           "    positional_words=(\n" +
           words +
           "    )\n"
           "    local cmdpath=rosterctl word i skip=0\n"
           "    local -a names\n"
           "    for ((i = 2; i < CURRENT; i++)); do\n"
           "        word=${words[i]}\n"
           "        if ((skip)); then skip=0; continue; fi\n"
           "        if ((${+takes_value[$cmdpath|$word]})); then skip=1; continue; fi\n"
           "        names=(${${(f)subcommands[$cmdpath]}%%:*})\n"
           "        if ((${names[(Ie)$word]})); then cmdpath+=\" $word\"; fi\n"
           "    done\n"
           "    local cur=${words[CURRENT]} prev=${words[CURRENT-1]}\n"
           "    if ((CURRENT > 2 && ${+takes_value[$cmdpath|$prev]})); then\n"
           "        ((${+takes_path[$cmdpath|$prev]})) && _files\n"
           "        return\n"
           "    fi\n"
           "    local -a candidates\n"
           "    if [[ $cur == -* ]]; then\n"
           "        candidates=(${(f)options[$cmdpath]})\n"
           "        _describe -t options 'rosterctl option' candidates\n"
           "    else\n"
           "        candidates=(${(f)subcommands[$cmdpath]} ${=positional_words[$cmdpath]})\n"
           "        _describe -t commands 'rosterctl command' candidates\n"
           "    fi\n"
           "}\n"
           "_rosterctl \"$@\"\n";
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App gen{"rosterd-docgen - writes rosterd's manual pages and rosterctl's completion"};
    std::string source_dir, out_dir, list;
    gen.add_option("--source-dir", source_dir, "The source tree (man/*.in, docs/, config/)");
    gen.add_option("--out-dir", out_dir, "Where to write the pages and completion files");
    gen.add_option("--list", list, "Print commands, cli or config-keys, one a line")
        ->check(CLI::IsMember({"commands", "cli", "config-keys"}));
    CLI11_PARSE(gen, argc, argv);

    try {
        CLI::App ctl{"rosterctl - control rosterd, the Atlassian Cloud user and licence daemon"};
        cli::CliOptions ctl_options;
        int exit_code = 0;
        cli::build_app(ctl, ctl_options, exit_code);
        std::vector<CliCommand> tree;
        flatten(&ctl, "", tree);
        auto commands = registered_commands();

        if (list == "commands") {
            for (const auto& c : commands)
                std::cout << c.name << " " << c.level << "\n";
            return 0;
        }
        if (list == "cli") {
            for (const auto& c : tree)
                std::cout << c.path << "\n";
            return 0;
        }
        fs::path source(source_dir.empty() ? "." : source_dir);
        auto keys = declared_config_keys(read_file(source / "config/rosterd.example.yaml"),
                                         (source / "config/rosterd.example.yaml").string());
        if (list == "config-keys") {
            for (const auto& key : keys)
                std::cout << key << "\n";
            return 0;
        }
        if (out_dir.empty()) {
            std::cerr << "rosterd-docgen: --out-dir or --list is required\n";
            return 2;
        }
        fs::path out(out_dir);
        std::vector<std::string> problems;
        write_file(out / "rosterd.8", daemon_page(source, commands));
        write_file(out / "rosterctl.1", cli_page(source, ctl, tree, commands));
        write_file(out / "rosterd.yaml.5", config_page(source, keys, problems));
        auto levels = completion_levels(ctl, tree, commands);
        write_file(out / "completion/rosterctl", bash_completion(levels));
        write_file(out / "completion/_rosterctl", zsh_completion(levels));
        for (const auto& problem : problems)
            std::cerr << "rosterd-docgen: warning: " << problem << "\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "rosterd-docgen: " << e.what() << "\n";
        return 1;
    }
}
