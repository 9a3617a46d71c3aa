package engine

func registerTemplates(r *Registry) {}
