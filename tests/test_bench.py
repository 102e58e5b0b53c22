"""The benchmark's process-tree sampler: what it reports is what the tree holds."""
import time

from xxgk.bench import Sampler


def test_sampler_counts_memory_the_tree_held_before_it_started():
    # the sampler is forked: it shares these pages, and its share must still be counted
    held = bytearray(300 * 2**20)
    for i in range(0, len(held), 4096):
        held[i] = 1                       # touch every page
    s = Sampler(every=0.05, pss_every=2)
    s.start()
    time.sleep(0.5)
    s.stop()
    t0, t1 = s.samples[0][0], s.samples[-1][0]
    assert s.peak(t0, t1) >= 300 * 2**20
    # a window shorter than the PSS interval still gets the last PSS sampled before it
    assert s.peak(t1 + 0.001, t1 + 0.002) >= 300 * 2**20
    # CPU over the window (from the second sample: the first has nothing before it): the
    # sampler's own is left out, and this process slept
    assert s.cpu(s.samples[1][0], t1) < 0.2
    del held
