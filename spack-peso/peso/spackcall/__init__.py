"""Every way spack-peso finds, provisions and calls a real Spack."""
