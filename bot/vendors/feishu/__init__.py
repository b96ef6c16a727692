"""Feishu VC: the vendor (set_host, invite), its user tokens, its error codes and meeting numbers."""
