// blameFrames skips what only observes a hang: a crash session's NMI / PMU / kdump / timer-interrupt
// and idle frames are never key frames; the interrupted code is.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blameFrames, isMechanics } from './index.ts';

test('perf NMI watchdog and panic frames above the interrupted driver: the driver is blamed', () => {
  const frames = ['machine_kexec', '__crash_kexec', 'panic', 'nmi_panic.cold', 'watchdog_hardlockup_check', 'watchdog_overflow_callback',
    '__perf_event_overflow', 'handle_pmi_common', 'intel_pmu_handle_irq', 'perf_event_nmi_handler', 'nmi_handle', 'default_do_nmi',
    'exc_nmi', 'end_repeat_nmi', 'native_queued_spin_lock_slowpath', '_raw_spin_lock_irqsave', 'vxfc_queuecommand', 'scsi_queue_rq'];
  assert.deepEqual(blameFrames(frames, 2), ['vxfc_queuecommand', 'scsi_queue_rq']);
});

test('a CPU stopped by crash in the idle loop has nothing to blame', () => {
  const frames = ['crash_nmi_callback', 'nmi_handle', 'do_nmi', 'end_repeat_nmi', 'native_safe_halt', 'default_idle', 'arch_cpu_idle',
    'cpu_startup_entry', 'schedule_idle', 'do_idle', 'start_secondary', 'secondary_startup_64_no_verify'];
  assert.deepEqual(blameFrames(frames), []);
});

test('soft-lockup watchdog timer interrupt frames are skipped; AMD and kdump variants too', () => {
  const frames = ['watchdog_timer_fn', '__run_hrtimer', '__hrtimer_run_queues', 'hrtimer_interrupt', 'local_apic_timer_interrupt',
    'smp_apic_timer_interrupt', 'apic_timer_interrupt', 'smb2x_find_mid', 'cifsx_demultiplex_thread'];
  assert.deepEqual(blameFrames(frames, 2), ['smb2x_find_mid', 'cifsx_demultiplex_thread']);
  for (const fn of ['amd_pmu_v2_handle_irq', 'kdump_nmi_callback', 'nmi_shootdown_cpus', 'native_machine_crash_shutdown', 'vpanic']) {
    assert.ok(isMechanics(fn), fn);
  }
});

test('the interrupted code and IRQ handlers stay blamable', () => {
  for (const fn of ['mydrv_irq_handler', '__handle_irq_event_percpu', 'smb2x_find_mid', 'netx_xmit_frame', 'nmi_intr_mydrv']) {
    assert.equal(isMechanics(fn), false, fn);
  }
});
