/**
 * The stable API: the contract's vocabulary, programs and policies, the assembler, BTF, BPF objects
 * and the Backend SPI. No dependencies. Backends are found with {@link java.util.ServiceLoader}
 * through {@code dev.autolowat.api.spi.Backend#installed()} (docs/architecture.md).
 */
module dev.autolowat.api {
    exports dev.autolowat.api;
    exports dev.autolowat.api.asm;
    exports dev.autolowat.api.btf;
    exports dev.autolowat.api.event;
    exports dev.autolowat.api.object;
    exports dev.autolowat.api.policy;
    exports dev.autolowat.api.program;
    exports dev.autolowat.api.spi;

    uses dev.autolowat.api.spi.Backend;
}
