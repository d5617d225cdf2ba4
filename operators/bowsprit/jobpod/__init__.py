"""What a ProwJob's pod is: labels, downward-API environment, the rendered pod.

Pure functions shared by plank (which creates pods) and the pod utilities (which run
in them); no component owns them, so they sit below the components.
"""
