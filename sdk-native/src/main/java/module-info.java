/**
 * The kernel backend: typed wrappers over the syscalls (bpf(2), sockets, epoll, cgroups, sysfs) in
 * small packages, each one concept (cilium/ebpf's shape), and {@code NativeBackend} above them.
 */
module dev.autolowat.kernel {
    requires transitive dev.autolowat.api;
    requires com.sun.jna;

    exports dev.autolowat.kernel;
    exports dev.autolowat.kernel.bpf;
    exports dev.autolowat.kernel.btf;
    exports dev.autolowat.kernel.cgroup;
    exports dev.autolowat.kernel.features;
    exports dev.autolowat.kernel.link;
    exports dev.autolowat.kernel.socket;
    exports dev.autolowat.kernel.sys;
    exports dev.autolowat.kernel.sysfs;

    // JNA reads Structure fields and implements Library interfaces by reflection.
    opens dev.autolowat.kernel.sys to com.sun.jna;

    provides dev.autolowat.api.spi.Backend with dev.autolowat.kernel.NativeBackend;
}
