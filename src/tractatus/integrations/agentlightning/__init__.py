"""integrations/agentlightning"""
