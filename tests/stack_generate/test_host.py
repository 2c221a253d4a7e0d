"""The `host` target: GPU probe through vendor tools, CPU-only fallback with a note."""

from peso.stack.generate import hostprobe


def _fake(tools, outputs):
    return (lambda name: "/usr/bin/" + name if name in tools else None, lambda argv: outputs.get(argv[0]))


def test_nvidia_compute_cap():
    which, run = _fake({"nvidia-smi"}, {"nvidia-smi": "9.0, NVIDIA H100 80GB HBM3\n9.0, NVIDIA H100\n"})
    gpu = hostprobe.detect_gpu(which, run)
    assert gpu["backend"] == "cuda" and gpu["arch"] == "90" and "H100" in gpu["model"]


def test_amd_agent_enumerator_skips_cpu_agent():
    which, run = _fake({"rocm_agent_enumerator"}, {"rocm_agent_enumerator": "gfx000\ngfx90a\ngfx90a\n"})
    gpu = hostprobe.detect_gpu(which, run)
    assert gpu == {"vendor": "amd", "backend": "rocm", "arch": "gfx90a", "note": "rocm_agent_enumerator reports gfx90a"}


def test_intel_level_zero():
    which, run = _fake({"sycl-ls"}, {"sycl-ls": "[level_zero:gpu][level_zero:0] Intel(R) Data Center GPU Max 1550"})
    assert hostprobe.detect_gpu(which, run)["backend"] == "sycl"


def test_no_gpu_falls_back_with_note():
    which, run = _fake(set(), {})
    gpu = hostprobe.detect_gpu(which, run)
    assert gpu["backend"] == "none" and "CPU-only" in gpu["note"]


def test_host_target_is_a_valid_profile():
    import archspec.cpu

    t = hostprobe.host_target()
    assert t.name == "host" and t.cpu_target == archspec.cpu.host().name
    assert t.doc["compilers"]["gcc"]["prefix"]
