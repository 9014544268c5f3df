#include "port_guard.hpp"

#include <util/fs.hpp>
#include <util/strings.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>

namespace slipway::util {

namespace {

// The kernel makes every BPF fd close-on-exec.
long
bpf(int cmd, bpf_attr& attr)
{
  return ::syscall(SYS_bpf, cmd, &attr, sizeof attr);
}

bpf_insn
insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
  bpf_insn i{};
  i.code = code;
  i.dst_reg = dst;
  i.src_reg = src;
  i.off = off;
  i.imm = imm;
  return i;
}

// The bind hook: allow (1) unless the port is in the map and the caller is neither root nor
// the user the map names (0: bind fails with EPERM).
Result<Fd>
load_program(int map, bpf_attach_type hook)
{
  const bpf_insn program[] = {
      // r2 = ctx->user_port (network byte order); the map's key, on the stack at fp-4.
      insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, offsetof(bpf_sock_addr, user_port), 0),
      insn(BPF_STX | BPF_MEM | BPF_W, BPF_REG_10, BPF_REG_2, -4, 0),
      // r0 = map_lookup_elem(map, fp-4)
      insn(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0, map),
      insn(0, 0, 0, 0, 0),
      insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0),
      insn(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -4),
      insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
      insn(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 6, 0), // not reserved: allow
      insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_6, BPF_REG_0, 0, 0), // r6 = its user
      insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_get_current_uid_gid),
      insn(BPF_ALU | BPF_MOV | BPF_X, BPF_REG_0, BPF_REG_0, 0, 0), // w0 = the caller's uid
      insn(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 2, 0),         // root: allow
      insn(BPF_JMP | BPF_JEQ | BPF_X, BPF_REG_0, BPF_REG_6, 1, 0), // its user: allow
      insn(BPF_JMP | BPF_JA, 0, 0, 2, 0),                          // anyone else: deny
      insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1),
      insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
      insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0),
      insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
  };
  bpf_attr attr{};
  attr.prog_type = BPF_PROG_TYPE_CGROUP_SOCK_ADDR;
  attr.expected_attach_type = hook;
  attr.insns = reinterpret_cast<uintptr_t>(program);
  attr.insn_cnt = sizeof program / sizeof program[0];
  attr.license = reinterpret_cast<uintptr_t>("MIT");
  Fd fd(static_cast<int>(bpf(BPF_PROG_LOAD, attr)));
  if (!fd) {
    return error(errno_message("cannot load the port guard's BPF program", "the kernel"));
  }
  return fd;
}

uint32_t
key_of(int port)
{
  return htons(static_cast<uint16_t>(port));
}

} // namespace

std::string
cgroup2_mount()
{
  auto mounts = read_file("/proc/self/mountinfo");
  for (const auto& line : split(mounts ? *mounts : "", '\n')) {
    auto dash = line.find(" - ");
    auto fields = split(line.substr(0, dash == std::string::npos ? 0 : dash), ' ');
    if (dash != std::string::npos && fields.size() >= 5 && line.substr(dash + 3).starts_with("cgroup2 ") &&
        fields[3] == "/") {
      return fields[4];
    }
  }
  return {};
}

Result<PortGuard>
PortGuard::open()
{
  std::string root = cgroup2_mount();
  if (root.empty()) {
    return error("no cgroup v2 is mounted to guard ports from");
  }
  PortGuard g;
  bpf_attr map{};
  map.map_type = BPF_MAP_TYPE_HASH;
  map.key_size = sizeof(uint32_t);
  map.value_size = sizeof(uint32_t);
  map.max_entries = 65536;
  map.map_flags = 0;
  g.m_map.reset(static_cast<int>(bpf(BPF_MAP_CREATE, map)));
  if (!g.m_map) {
    return error(errno_message("cannot make the port guard's BPF map", "the kernel"));
  }
  Fd cgroup(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!cgroup) {
    return error(errno_message("cannot open", root));
  }
  const bpf_attach_type hooks[2] = {BPF_CGROUP_INET4_BIND, BPF_CGROUP_INET6_BIND};
  for (int i = 0; i < 2; ++i) {
    SW_TRY_ASSIGN(g.m_programs[i], load_program(g.m_map.get(), hooks[i]));
    bpf_attr link{};
    link.link_create.prog_fd = static_cast<uint32_t>(g.m_programs[i].get());
    link.link_create.target_fd = static_cast<uint32_t>(cgroup.get());
    link.link_create.attach_type = hooks[i];
    g.m_links[i].reset(static_cast<int>(bpf(BPF_LINK_CREATE, link)));
    if (!g.m_links[i]) {
      return error(errno_message("cannot attach the port guard to", root));
    }
  }
  return g;
}

Status
PortGuard::reserve(int port, uid_t uid)
{
  uint32_t key = key_of(port), value = uid;
  bpf_attr attr{};
  attr.map_fd = static_cast<uint32_t>(m_map.get());
  attr.key = reinterpret_cast<uintptr_t>(&key);
  attr.value = reinterpret_cast<uintptr_t>(&value);
  attr.flags = BPF_ANY;
  if (bpf(BPF_MAP_UPDATE_ELEM, attr) != 0) {
    return error(errno_message("cannot reserve port " + std::to_string(port) + " in", "the port guard"));
  }
  return {};
}

void
PortGuard::release(int port)
{
  uint32_t key = key_of(port);
  bpf_attr attr{};
  attr.map_fd = static_cast<uint32_t>(m_map.get());
  attr.key = reinterpret_cast<uintptr_t>(&key);
  (void)bpf(BPF_MAP_DELETE_ELEM, attr);
}

} // namespace slipway::util
