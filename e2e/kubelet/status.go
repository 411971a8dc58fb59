package kubelet

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const podIP = "127.0.0.1"

// running is the status of a pod whose init containers are done and whose
// containers all run.
func running(pod *corev1.Pod) corev1.PodStatus {
	now := metav1.Now()
	st := corev1.PodStatus{
		Phase:     corev1.PodRunning,
		HostIP:    podIP,
		PodIP:     podIP,
		StartTime: &now,
		Conditions: []corev1.PodCondition{
			{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: now},
			{Type: corev1.PodInitialized, Status: corev1.ConditionTrue, LastTransitionTime: now},
			{Type: corev1.ContainersReady, Status: corev1.ConditionTrue, LastTransitionTime: now},
			{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: now},
		},
	}
	for _, c := range pod.Spec.InitContainers {
		st.InitContainerStatuses = append(st.InitContainerStatuses, corev1.ContainerStatus{
			Name: c.Name, Image: c.Image, ImageID: c.Image,
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
				ExitCode: 0, Reason: "Completed", StartedAt: now, FinishedAt: now,
			}},
		})
	}
	for _, c := range pod.Spec.Containers {
		st.ContainerStatuses = append(st.ContainerStatuses, corev1.ContainerStatus{
			Name: c.Name, Image: c.Image, ImageID: c.Image, Ready: true, Started: boolPtr(true),
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}},
		})
	}
	return st
}

// terminated is the final status of a workflow pod: main exited with exit
// and message; wait exited 0, or 1 with waitErr when the executor failed.
func terminated(pod *corev1.Pod, exit int, message, waitErr string, start, end time.Time) corev1.PodStatus {
	st := running(pod)
	st.StartTime = &metav1.Time{Time: start}
	phase := corev1.PodSucceeded
	for i, c := range st.ContainerStatuses {
		code, msg := 0, ""
		switch c.Name {
		case "main":
			code, msg = exit, message
		case "wait":
			if waitErr != "" {
				code, msg = 1, waitErr
			}
		}
		if code != 0 {
			phase = corev1.PodFailed
		}
		st.ContainerStatuses[i].Ready = false
		st.ContainerStatuses[i].Started = boolPtr(false)
		st.ContainerStatuses[i].State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
			ExitCode: int32(code), Reason: reason(code), Message: msg,
			StartedAt: metav1.Time{Time: start}, FinishedAt: metav1.Time{Time: end},
		}}
	}
	st.Phase = phase
	for i, c := range st.Conditions {
		if c.Type == corev1.PodReady || c.Type == corev1.ContainersReady {
			st.Conditions[i].Status = corev1.ConditionFalse
			st.Conditions[i].Reason = "PodCompleted"
		}
	}
	return st
}

func reason(exit int) string {
	if exit == 0 {
		return "Completed"
	}
	return "Error"
}

func boolPtr(b bool) *bool { return &b }
