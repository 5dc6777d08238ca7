#!/usr/bin/env python3
"""Writes the bad-input corpus: every file under cluster/ and plan/, and cases.txt.

Run from this folder: `python3 generate.py`. The files are committed; this script is how they
were made, so that a case can be changed and the corpus written again. Each case says the
command's extra arguments, the exit code and the diagnostic code it must give.
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = []

HEAD = '[cluster]\nname = "lab"\nplatform = "vsphere"\n\n'
def host(name, extra=""):
    return f'[[host]]\nname = "{name}"\ncpu = 32\nmemory_gib = 256\n{extra}\n'
HOSTS = host("h1") + host("h2") + host("h3")

def cluster(name, text, exit, code, args=""):
    write("cluster", name, text)
    CASES.append(f"cluster/{name} {exit} {code} {args}".rstrip())

def plan(name, text, exit, code, args=""):
    write("plan", name, text)
    CASES.append(f"plan/{name} {exit} {code} {args}".rstrip())

def write(folder, name, text):
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    with open(os.path.join(HERE, folder, name), "wb") as f:
        f.write(data)

# The input errors of the spec (cluster-format.md, "Input errors").
cluster("syntax_unclosed_string.toml", HEAD + 'x = "open\n' + HOSTS, 2, "quorate::syntax")
cluster("syntax_missing_value.toml", HEAD + HOSTS + "cpu =\n", 2, "quorate::syntax")
cluster("unknown_key.toml", HEAD + host("h1", "colour = \"red\""), 2, "quorate::unknown_key")
cluster("unknown_table.toml", HEAD + HOSTS + "[[hots]]\nname = \"x\"\n", 2, "quorate::unknown_key")
cluster("wrong_type_cpu.toml", HEAD + '[[host]]\nname = "h1"\ncpu = "32"\nmemory_gib = 256\n', 2, "quorate::wrong_type")
cluster("wrong_type_members.toml", HEAD + HOSTS + '[[quorum_group]]\nname = "g"\nmembers = "h1"\n', 2, "quorate::wrong_type")
cluster("missing_host_name.toml", HEAD + '[[host]]\ncpu = 32\nmemory_gib = 256\n', 2, "quorate::missing_key")
cluster("missing_host_cpu.toml", HEAD + '[[host]]\nname = "h1"\nmemory_gib = 256\n', 2, "quorate::missing_key")
cluster("missing_host_memory.toml", HEAD + '[[host]]\nname = "h1"\ncpu = 32\n', 2, "quorate::missing_key")
cluster("missing_workload_name.toml", HEAD + HOSTS + '[[workload]]\nhost = "h1"\ncpu = 1\n', 2, "quorate::missing_key")
cluster("missing_workload_host.toml", HEAD + HOSTS + '[[workload]]\nname = "w"\ncpu = 1\n', 2, "quorate::missing_key")
cluster("duplicate_host.toml", HEAD + HOSTS + host("h1"), 2, "quorate::duplicate_name")
cluster("unknown_host.toml", HEAD + HOSTS + '[[workload]]\nname = "w"\nhost = "h9"\n', 2, "quorate::unknown_reference")
cluster("unknown_fault_domain.toml", HEAD + host("h1", 'fault_domain = "rack-z"'), 2, "quorate::unknown_reference")
cluster("unknown_site.toml", HEAD + '[[fault_domain]]\nname = "r1"\nsite = "dc9"\n\n' + host("h1", 'fault_domain = "r1"'), 2, "quorate::unknown_reference")
cluster("unknown_order_component.toml", HEAD + HOSTS + '[[order]]\nbefore = ["vcenter"]\nafter = ["h1"]\n', 2, "quorate::unknown_reference")
cluster("quorum_too_large.toml", HEAD + HOSTS + '[[quorum_group]]\nname = "g"\nmembers = ["h1", "h2", "h3"]\nquorum = 4\n', 2, "quorate::invalid_quorum")
cluster("quorum_zero.toml", HEAD + HOSTS + '[[quorum_group]]\nname = "g"\nmembers = ["h1", "h2", "h3"]\nquorum = 0\n', 2, "quorate::invalid_quorum")
W = '[[workload]]\nname = "w1"\nhost = "h1"\n\n[[workload]]\nname = "w2"\nhost = "h2"\n\n'
cluster("budget_both.toml", HEAD + HOSTS + W + '[[disruption_budget]]\nname = "b"\nworkloads = ["w1", "w2"]\nmax_unavailable = 1\nmin_available = 1\n', 2, "quorate::invalid_budget")
cluster("budget_neither.toml", HEAD + HOSTS + W + '[[disruption_budget]]\nname = "b"\nworkloads = ["w1", "w2"]\n', 2, "quorate::invalid_budget")
cluster("order_cycle.toml", HEAD + HOSTS + '[[order]]\nbefore = ["h1"]\nafter = ["h2"]\n\n[[order]]\nbefore = ["h2"]\nafter = ["h1"]\n', 2, "quorate::order_cycle")
cluster("allowed_hosts_exclude_host.toml", HEAD + HOSTS + '[[workload]]\nname = "w"\nhost = "h1"\nallowed_hosts = ["h2"]\n', 2, "quorate::allowed_hosts_exclude_host")
cluster("anti_affinity_broken.toml", HEAD + HOSTS + '[[workload]]\nname = "a"\nhost = "h1"\n\n[[workload]]\nname = "b"\nhost = "h1"\n\n[[anti_affinity]]\nname = "ab"\nworkloads = ["a", "b"]\nmandatory = true\n', 2, "quorate::anti_affinity_broken")
cluster("invalid_platform.toml", '[cluster]\nname = "lab"\nplatform = "mainframe"\n\n' + HOSTS, 2, "quorate::invalid_value")
cluster("ambiguous_name.toml", HEAD + HOSTS + '[[component]]\nname = "h1"\n\n[[quorum_group]]\nname = "g"\nmembers = ["h1", "h2"]\n', 2, "quorate::ambiguous_name")

# Empty, truncated, binary and badly encoded files.
cluster("empty.toml", "", 2, "quorate::nothing_to_upgrade")
cluster("whitespace_only.toml", "\n   \n\t\n", 2, "quorate::nothing_to_upgrade")
cluster("comments_only.toml", "# exported by a script that failed\n# nothing follows\n", 2, "quorate::nothing_to_upgrade")
cluster("no_hosts_no_components.toml", HEAD + '[policy]\nmax_hosts_per_wave = 2\n', 2, "quorate::nothing_to_upgrade")
full = HEAD + HOSTS
cluster("truncated_in_header.toml", full + "[[ho", 2, "quorate::syntax")
cluster("truncated_in_string.toml", full + '[[host]]\nname = "h4', 2, "quorate::syntax")
cluster("truncated_after_equals.toml", full + '[[host]]\nname = "h4"\ncpu = ', 2, "quorate::syntax")
cluster("truncated_in_array.toml", full + '[[quorum_group]]\nname = "g"\nmembers = ["h1", "h2"', 2, "quorate::syntax")
garbage = bytes((i * 97 + 13) % 256 for i in range(512))
cluster("binary_garbage.toml", garbage, 2, "quorate::io")
cluster("latin1_name.toml", HEAD.encode() + b'[[host]]\nname = "h\xe9"\ncpu = 32\nmemory_gib = 256\n', 2, "quorate::io")
cluster("utf16_with_bom.toml", (HEAD + HOSTS).encode("utf-16"), 2, "quorate::io")
cluster("nul_bytes.toml", HEAD + 'x = 1\x00\x00\n' + HOSTS, 2, "quorate::syntax")
cluster("elf_header.toml", b"\x7fELF\x02\x01\x01\x00" + bytes(56), 2, "quorate::syntax")

# Numbers: huge, NaN and inf, negative and zero capacities.
cluster("integer_overflow.toml", HEAD + '[[host]]\nname = "h1"\ncpu = 99999999999999999999999\nmemory_gib = 256\n', 2, "quorate::invalid_number")
cluster("float_overflow.toml", HEAD + '[[host]]\nname = "h1"\ncpu = 1e400\nmemory_gib = 256\n', 2, "quorate::invalid_number")
cluster("nan_cpu.toml", HEAD + '[[host]]\nname = "h1"\ncpu = nan\nmemory_gib = 256\n', 2, "quorate::invalid_number")
cluster("inf_memory.toml", HEAD + '[[host]]\nname = "h1"\ncpu = 32\nmemory_gib = inf\n', 2, "quorate::invalid_number")
cluster("negative_inf_storage.toml", HEAD + '[[host]]\nname = "h1"\ncpu = 32\nmemory_gib = 256\nstorage_gib = -inf\n', 2, "quorate::invalid_number")
cluster("negative_cpu.toml", HEAD + '[[host]]\nname = "h1"\ncpu = -4\nmemory_gib = 256\n', 2, "quorate::invalid_number")
cluster("negative_workload_memory.toml", HEAD + HOSTS + '[[workload]]\nname = "w"\nhost = "h1"\nmemory_gib = -0.5\n', 2, "quorate::invalid_number")
cluster("quantity_too_large.toml", HEAD + '[[host]]\nname = "h1"\ncpu = 1e12\nmemory_gib = 256\n', 2, "quorate::invalid_number")
cluster("quorum_beyond_u32.toml", HEAD + HOSTS + '[[quorum_group]]\nname = "g"\nmembers = ["h1", "h2", "h3"]\nquorum = 4294967296\n', 2, "quorate::invalid_number")
cluster("minutes_beyond_a_year.toml", HEAD + host("h1", "upgrade_minutes = 9999999"), 2, "quorate::invalid_number")
cluster("headroom_100.toml", HEAD + '[policy]\nheadroom_percent = 100\n\n' + HOSTS, 2, "quorate::invalid_number")
cluster("max_hosts_per_wave_zero.toml", HEAD + '[policy]\nmax_hosts_per_wave = 0\n\n' + HOSTS, 2, "quorate::invalid_number")
cluster("negative_integer.toml", HEAD + '[policy]\nmax_sites_down = -1\n\n' + HOSTS, 2, "quorate::invalid_number")

# Volume: 10,000-member groups, deep nesting, duplicate keys repeated thousands of times.
members = ", ".join(f'"m{i}"' for i in range(10_000))
cluster("group_10000_unknown_members.toml", HEAD + HOSTS + f'[[quorum_group]]\nname = "g"\nmembers = [{members}]\n', 2, "quorate::unknown_reference")
cluster("deep_arrays.toml", HEAD + HOSTS + "x = " + "[" * 5000 + "]" * 5000 + "\n", 2, "quorate::syntax")
cluster("deep_inline_tables.toml", HEAD + HOSTS + "x = " + "{a = " * 5000 + "1" + "}" * 5000 + "\n", 2, "quorate::syntax")
cluster("deep_dotted_key.toml", HEAD + HOSTS + ".".join(["k"] * 5000) + " = 1\n", 2, "quorate::syntax")
cluster("duplicate_key_5000_times.toml", HEAD + "".join('name = "again"\n' for _ in range(5000)) + HOSTS, 2, "quorate::syntax")
cluster("duplicate_table_3000_times.toml", HEAD + HOSTS + "".join("[policy]\nmax_hosts_per_wave = 1\n" for _ in range(3000)), 2, "quorate::syntax")
cluster("hosts_over_limit.toml", HEAD + HOSTS, 2, "quorate::limit", "--limit hosts=2")
cluster("list_over_limit.toml", HEAD + HOSTS + '[[quorum_group]]\nname = "g"\nmembers = ["h1", "h2", "h3"]\n', 2, "quorate::limit", "--limit list=2")
cluster("bytes_over_limit.toml", HEAD + HOSTS, 2, "quorate::limit", "--limit bytes=64")

# Names: control characters, shell metacharacters, bidirectional and invisible characters.
cluster("name_with_tab.toml", HEAD + host("h1\\tx"), 2, "quorate::invalid_value")
cluster("name_with_newline.toml", HEAD + host("h1\\nrm -rf /"), 2, "quorate::invalid_value")
cluster("name_with_escape.toml", HEAD + host("h1\\u001b[31m"), 2, "quorate::invalid_value")
cluster("name_empty.toml", HEAD + host(""), 2, "quorate::invalid_value")
cluster("name_rlo_override.toml", HEAD + host("esx-01\u202e10-xse"), 2, "quorate::invalid_value")
cluster("name_lri_isolate.toml", HEAD + host("a") + '[[component]]\nname = "vc\u2066enter\u2069"\n', 2, "quorate::invalid_value")
cluster("name_zero_width_space.toml", HEAD + host("esx\u200b01"), 2, "quorate::invalid_value")
cluster("name_bom_inside.toml", HEAD + host("\ufeffesx01"), 2, "quorate::invalid_value")
cluster("member_with_bidi.toml", HEAD + HOSTS + '[[quorum_group]]\nname = "g"\nmembers = ["h1", "h2\u202b"]\n', 2, "quorate::invalid_value")
# Printable, so valid: renderers quote them (tests/runbook/quoting.rs). Exit 0, no diagnostic.
cluster("name_shell_metacharacters.toml", HEAD + host("h1; rm -rf / #") + host("$(reboot)") + host("`id`|&>'\\\""), 0, "none")

# Plans, validated against examples/vsan-16-hosts.toml.
H = "esx01"
plan("unknown_key.toml", f'[[wave]]\nhosts = ["{H}"]\nhostz = ["esx02"]\n', 2, "quorate::unknown_key")
plan("wrong_type_hosts.toml", f'[[wave]]\nhosts = "{H}"\n', 2, "quorate::wrong_type")
plan("wrong_type_json.json", '{"waves": [{"hosts": [1, 2]}]}\n', 2, "quorate::wrong_type")
plan("missing_hosts.toml", '[[wave]]\nindex = 1\n', 2, "quorate::missing_key")
plan("unknown_item.toml", '[[wave]]\nhosts = ["esx99"]\n', 1, "quorate::unknown_item")
plan("repeated_wave.toml", f'[[wave]]\nhosts = ["{H}"]\n\n[[wave]]\nhosts = ["{H}"]\n', 1, "quorate::host_upgraded_twice")
plan("truncated.json", '{"waves": [{"hosts": ["esx01"', 2, "quorate::syntax")
plan("truncated.toml", '[[wave]]\nhosts = ["esx01"', 2, "quorate::syntax")
plan("deep_nesting.json", '{"waves": ' + "[" * 5000 + "]" * 5000 + "}", 2, "quorate::limit")
plan("not_utf8.toml", b'[[wave]]\nhosts = ["esx\xff"]\n', 2, "quorate::io")
plan("binary_garbage.json", b"{" + garbage, 2, "quorate::io")
plan("bidi_name.toml", '[[wave]]\nhosts = ["esx01\u2067"]\n', 2, "quorate::invalid_value")
plan("bidi_name.json", '{"waves": [{"hosts": ["esx\u202e01"]}]}', 2, "quorate::invalid_value")
plan("waves_over_limit.toml", "".join(f'[[wave]]\nhosts = ["{H}"]\n' for _ in range(12)), 2, "quorate::limit", "--limit waves=10")
plan("waves_over_limit.json", '{"waves": [' + ", ".join('{"hosts": ["esx01"]}' for _ in range(12)) + "]}", 2, "quorate::limit", "--limit waves=10")
plan("minified_json_one_line.json", '{"waves": [' + ", ".join(f'{{"hosts": ["esx{i:02}"]}}' for i in range(1, 17)) + ', {"hosts": ["esx01"]}' * 300 + "]}", 1, "quorate::host_upgraded_twice")

with open(os.path.join(HERE, "cases.txt"), "w") as f:
    f.write("# FILE EXIT CODE [EXTRA ARGS...]: written by generate.py\n")
    f.write("\n".join(CASES) + "\n")
print(len(CASES), "cases")
